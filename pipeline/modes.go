package pipeline

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Default modes of what healthanchor creates that holds patient data or
// leads to it (batch and rejects files, temporary files, state and chain
// stores, proof bundles, the demo's folders): the owner's alone. Key
// files are always 0600 whatever the config says.
const (
	DefaultFileMode Mode = 0o600
	DefaultDirMode  Mode = 0o700
)

// Mode is a permission mode written in octal in the config: 0640, 0o640
// or 640 all mean rw-r-----.
type Mode fs.FileMode

// UnmarshalYAML reads the mode's octal digits as written (YAML would read
// a quoted "0640" or a bare 640 as decimal).
func (m *Mode) UnmarshalYAML(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"'`)
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0O")
	v, err := strconv.ParseUint(digits, 8, 32)
	if err != nil || digits == "" {
		return fmt.Errorf("mode %q is not an octal permission mode such as 0600 or 0640", s)
	}
	*m = Mode(v)
	return nil
}

// String is the mode as the config writes it, e.g. 0640.
func (m Mode) String() string { return fmt.Sprintf("%04o", uint32(m)) }

// Perm is the mode as the os package takes it.
func (m Mode) Perm() fs.FileMode { return fs.FileMode(m) }

// checkMode says what is wrong with a mode whose owner bits must include
// owner (0600 for files, 0700 for folders), or "" when it is allowed:
// permission bits only, none for others.
func checkMode(key string, m, owner Mode, needs, example string) string {
	if m&^0o777 == 0 && m&owner == owner && m&0o007 == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s: allowed are %s to 0770: the owner needs %s, the group may have any access, others none (e.g. %s, or %s for a group-readable deployment)",
		key, m, owner, needs, owner, example)
}

// validateModes sets the default modes and reports bad ones.
func (c *Config) validateModes(add func(yamlPath, format string, args ...any)) {
	if c.FileMode == 0 {
		c.FileMode = DefaultFileMode
	}
	if c.DirMode == 0 {
		c.DirMode = DefaultDirMode
	}
	if msg := checkMode("file_mode", c.FileMode, 0o600, "read and write", "0640"); msg != "" {
		add("$.file_mode", "%s", msg)
	}
	if msg := checkMode("dir_mode", c.DirMode, 0o700, "read, write and search", "0750"); msg != "" {
		add("$.dir_mode", "%s", msg)
	}
}

// FilePerm is the mode of the files holding patient data that the node
// creates (config file_mode).
func (c *Config) FilePerm() fs.FileMode {
	if c.FileMode == 0 {
		return DefaultFileMode.Perm()
	}
	return c.FileMode.Perm()
}

// DirPerm is the mode of the folders holding such files that the node
// creates (config dir_mode).
func (c *Config) DirPerm() fs.FileMode {
	if c.DirMode == 0 {
		return DefaultDirMode.Perm()
	}
	return c.DirMode.Perm()
}

// warnExposed logs a warning for each path (a file, or a folder) whose
// group or other permission bits go beyond the configured file_mode (or
// dir_mode): what verify reads holds patient data. Missing paths are
// skipped; the check never fails anything.
func (n *Node) warnExposed(paths ...string) {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		allowed, key := n.Config.FilePerm(), "file_mode"
		if fi.IsDir() {
			allowed, key = n.Config.DirPerm(), "dir_mode"
		}
		if extra := fi.Mode().Perm() &^ allowed & 0o077; extra != 0 {
			n.Logger.Warn("holds patient data but is open beyond the configured mode",
				"path", p, "mode", Mode(fi.Mode().Perm()).String(), key, Mode(allowed).String(),
				"fix", fmt.Sprintf("chmod %s %s", Mode(fi.Mode().Perm()&^extra), p))
		}
	}
}

// warnExposedBatch warns about a batch file and its folder.
func (n *Node) warnExposedBatch(path string) {
	n.warnExposed(filepath.Dir(path), path)
}

// WarnExposedStores logs a warning when the chain or state store (or
// their -wal and -shm files) is open beyond the configured file_mode.
func (n *Node) WarnExposedStores() {
	for _, db := range []string{n.Config.Path(n.Config.Chain.Path), n.Config.Path(n.Config.State)} {
		n.warnExposed(db, db+"-wal", db+"-shm")
	}
}
