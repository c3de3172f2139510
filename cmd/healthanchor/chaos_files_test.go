//go:build chaos

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// genFile is an export made by `healthanchor gen` and its number of
// records (a broken record may span lines).
type genFile struct {
	path    string
	records int64
}

// dropFile generates an export outside every node's folder and delivers
// it, with the files still pending for that node, into its inbox.
func (c *chaos) dropFile(id string) {
	c.seq++
	name := fmt.Sprintf("export-%05d.csv", c.seq)
	rows := 20 + c.rng.Intn(300)
	path := filepath.Join(c.stage, id+"-"+name)
	mustCode(c.t, ha(c.t, nil, "gen", "--kind", "csv", "--rows", fmt.Sprint(rows), "--seed", fmt.Sprint(c.seq), "--bad", "0.03", "--out", path), 0, "gen")
	c.pending[id] = append(c.pending[id], genFile{path, int64(rows)})
	c.deliver(id)
}

// deliver copies a node's pending files into its inbox (under a dot
// name, then renamed), stopping at the first that does not fit.
func (c *chaos) deliver(id string) {
	for len(c.pending[id]) > 0 {
		src := c.pending[id][0]
		name := strings.TrimPrefix(filepath.Base(src.path), id+"-")
		raw, err := os.ReadFile(src.path)
		if err != nil {
			c.t.Fatal(err)
		}
		inbox := filepath.Join(c.dir, id, "inbox/csv")
		tmp := filepath.Join(inbox, "."+name+".part")
		if err := os.WriteFile(tmp, raw, 0o644); err != nil {
			os.Remove(tmp)
			return // the disk is full: later
		}
		if err := os.Rename(tmp, filepath.Join(inbox, name)); err != nil {
			os.Remove(tmp)
			return
		}
		c.pending[id] = c.pending[id][1:]
		c.dropped[id] += src.records
		c.files++
	}
}

func (c *chaos) totalDropped() int64 {
	var n int64
	for _, v := range c.dropped {
		n += v
	}
	return n
}
