// Package audit owns what an auditor reads without a command line: the
// audit report of a period (one self-contained HTML file, or JSON for
// machines; docs/audit.md documents both) and the read-only web explorer
// that `serve` mounts when the config has a ui: section. Both read the
// chain store, the state DB's run history through the small History
// interface, and the replication store through Replica; they never write.
package audit
