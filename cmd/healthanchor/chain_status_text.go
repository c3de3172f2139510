package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/healthanchor/healthanchor/anchor/replication"
)

// printStatus writes a node's status as text: the head, the role and
// readiness, then one line per member or observer with its reachability.
func printStatus(w io.Writer, st replication.Status) {
	fmt.Fprintf(w, "chain %s: height %d, head %s\nnode %s is %s; leader %q\n", st.ChainID, st.Height, st.HeadHash, st.NodeID, st.Role, st.Leader)
	switch {
	case st.Ready:
		fmt.Fprintln(w, "ready: reaches a quorum of voters")
	case st.NotReady != "":
		fmt.Fprintf(w, "NOT READY: %s\n", st.NotReady)
	}
	for _, m := range st.Members {
		fmt.Fprintf(w, "  %-12s %-9s %-21s %s\n", m.ID, m.Suffrage, m.Address, reachText(m.PeerReach))
	}
}

// reachText is one peer's reachability, last contact and lag, as in
// "reachable, last contact 0.1s ago, 0 entries behind".
func reachText(r replication.PeerReach) string {
	if r.Reachability == "" {
		return ""
	}
	parts := []string{r.Reachability}
	if r.LastContactSeconds != nil {
		parts = append(parts, fmt.Sprintf("last contact %.1fs ago", *r.LastContactSeconds))
	} else if r.Reachability == replication.Unreachable {
		parts = append(parts, "never heard from since start")
	}
	if r.LagEntries != nil {
		parts = append(parts, fmt.Sprintf("%d entries behind", *r.LagEntries))
	}
	if r.SeenBy != "" {
		parts = append(parts, "seen by "+r.SeenBy)
	}
	return strings.TrimSpace(strings.Join(parts, ", "))
}
