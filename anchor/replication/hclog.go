package replication

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// raftLogger adapts the injected slog logger for hashicorp/raft, which
// logs through go-hclog: each line raft logs at INFO or above becomes one
// slog record, with raft's message and arguments as attributes. Raft
// repeats some lines several times a second while a peer is down (failed
// heartbeats and appends, vote requests, elections); those pass through
// th, one per message and peer every interval, and a failure to reach a
// peer is a warning, not an error: /healthz and chain status say whether
// the cluster still has a quorum.
func raftLogger(logger *slog.Logger, name string, th *throttle) hclog.Logger {
	l := hclog.NewInterceptLogger(&hclog.LoggerOptions{Name: name, Level: hclog.Info, Output: io.Discard})
	l.RegisterSink(&slogSink{logger: logger.With("subsystem", name), throttle: th})
	return l
}

// slogSink receives raft's log lines with their arguments unformatted.
type slogSink struct {
	logger   *slog.Logger
	throttle *throttle
}

// noisyInfo are raft's informational lines repeated at every election
// timeout while the node cannot win an election.
var noisyInfo = []string{"entering candidate state", "pre-vote campaign failed", "pre-vote successful", "duplicate requestVote"}

// Accept writes one raft line as a slog record.
func (s *slogSink) Accept(_ string, lvl hclog.Level, msg string, args ...any) {
	if lvl < hclog.Info || lvl == hclog.Off {
		return
	}
	level := slog.LevelInfo
	switch {
	case lvl >= hclog.Error:
		level = slog.LevelError
	case lvl == hclog.Warn:
		level = slog.LevelWarn
	}
	attrs := make([]any, 0, len(args))
	peer := ""
	for i := 0; i+1 < len(args); i += 2 {
		key := fmt.Sprint(args[i])
		if p := argPeer(key, args[i+1]); p != "" && peer == "" {
			peer = p
		}
		attrs = append(attrs, key, argValue(args[i+1]))
	}
	if s.throttle == nil || !repeats(level, msg) {
		s.logger.Log(context.Background(), level, msg, attrs...)
		return
	}
	if level == slog.LevelError && peer != "" {
		level = slog.LevelWarn
	}
	s.throttle.log(s.logger, level, "raft\x00"+msg+"\x00"+peer, msg, attrs...)
}

// repeats says whether raft repeats this kind of line while a peer is
// down or the node is alone: every warning and error, and the election
// loop's informational lines.
func repeats(level slog.Level, msg string) bool {
	if level >= slog.LevelWarn {
		return true
	}
	for _, s := range noisyInfo {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// argPeer names the peer a raft log argument is about, if it is one: a
// server (its id) or the arguments raft names peers with.
func argPeer(key string, v any) string {
	switch p := v.(type) {
	case raft.Server:
		return string(p.ID)
	case *raft.Server:
		return string(p.ID)
	}
	switch key {
	case "server-id", "peer", "target", "id":
		return fmt.Sprint(v)
	}
	return ""
}

// argValue renders a raft log argument for slog: numbers, strings and
// booleans as they are, durations and everything else as text.
func argValue(v any) any {
	switch x := v.(type) {
	case string, bool, int, int64, uint64, uint32, int32, float64:
		return x
	case time.Duration:
		return x.String()
	case hclog.Format:
		if len(x) > 0 {
			if f, ok := x[0].(string); ok {
				return fmt.Sprintf(f, x[1:]...)
			}
		}
		return fmt.Sprint(x...)
	case raft.Server:
		return fmt.Sprintf("%s %s", x.ID, x.Address)
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
