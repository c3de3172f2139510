//go:build unix

package main

import "syscall"

// restrictUmask makes whatever the process creates without an explicit
// mode (SQLite's files before their database exists, a CPU profile, a
// third-party library's temporary file) the owner's alone. Files holding
// patient data are created with the config's file_mode and dir_mode,
// set exactly whatever the umask, and key files are always 0600.
func restrictUmask() { syscall.Umask(0o077) }
