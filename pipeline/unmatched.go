package pipeline

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// UnmatchedFiles lists the files in the folders of the jobs' file inputs
// (the folder part of each job's `input` pattern) that no job's pattern
// takes: an export dropped under the wrong name that would otherwise wait
// there unseen. Files being written (a leading dot or a .tmp suffix, the
// names drop folders ignore) and folders are left out. Paths are relative to the config's
// folder when the patterns are.
func (n *Node) UnmatchedFiles() []string {
	patterns := map[string][]string{} // folder -> patterns of jobs in it
	for _, j := range n.Config.Jobs {
		in, ok := j.Options["input"].(string)
		if !ok || in == "" {
			continue
		}
		dir := filepath.Dir(in)
		if hasGlobMeta(dir) {
			continue
		}
		patterns[dir] = append(patterns[dir], in)
	}
	var out []string
	for dir, pats := range patterns {
		entries, err := os.ReadDir(n.Config.Path(dir))
		if err != nil {
			continue // the job reports a missing folder itself
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") || strings.HasSuffix(e.Name(), ".tmp") {
				continue
			}
			rel := filepath.Join(dir, e.Name())
			taken := false
			for _, p := range pats {
				if ok, _ := filepath.Match(filepath.Clean(p), rel); ok {
					taken = true
					break
				}
			}
			if !taken {
				out = append(out, rel)
			}
		}
	}
	sort.Strings(out)
	return out
}

// warnUnmatched logs each file UnmatchedFiles finds, once per file for
// the life of the node.
func (n *Node) warnUnmatched() {
	for _, f := range n.UnmatchedFiles() {
		if _, dup := n.unmatchedWarned.LoadOrStore(f, struct{}{}); !dup {
			n.Logger.Warn("a file in an input folder matches no job's input pattern and is not read; rename it or add a job", "file", f)
		}
	}
}

func hasGlobMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }
