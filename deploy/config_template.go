package deploy

import "text/template"

// configTemplate is the healthanchor.yaml Init writes: every key
// explained where it stands. Paths are relative to the file's folder.
var configTemplate = template.Must(template.New("healthanchor.yaml").Parse(`# healthanchor node of agency {{.Agency}} on chain {{.ChainID}}, written by
# ` + "`healthanchor init`" + `. Relative paths are taken from this file's folder.
# Check it with: healthanchor --config {{.File}} config check
# Every key is documented in docs/config.md{{if .Cluster}} and docs/replication.md{{end}}.

agency:
  id: {{.Agency}}{{"\t"}}# this agency's member id in the genesis
  name: {{printf "%q" .Name}}{{"\t"}}# human-readable name
  key_file: {{.KeyFile}}{{"\t"}}# Ed25519 signing key (mode 0600): signs manifests{{if .Cluster}}, blocks, checkpoints{{end}}
  salt_key_file: {{.SaltKeyFile}}{{"\t"}}# secret for row salts (mode 0600): keep it, with the signing key, in a safe place

chain:
  path: chain.db{{"\t"}}# SQLite chain store{{if .Cluster}}, replicated among the members{{end}}
  genesis: {{.Genesis}}{{"\t"}}# creates chain.db on first use; every member holds the same file

state: state.db{{"\t"}}# watermarks, run history, batch life cycle (back it up with healthanchor backup)
output_dir: batches{{"\t"}}# published batch files: batches/JOB/BATCH_ID.parquet
timezone: UTC{{"\t"}}# IANA zone of naive local times in the sources, e.g. Europe/Paris
listen: {{.Listen}}{{"\t"}}# serve's HTTP address (/healthz, /metrics): keep it on loopback or behind a proxy

# Extraction jobs: one per source. Each names a connector (healthanchor
# connectors list), a cron schedule (optional CRON_TZ=, or @every 15m) and
# the connector's options (docs/csv.md, docs/hl7.md, docs/sql.md).
jobs:
  # CSV files dropped in a folder, each taken once (docs/csv.md).
  - name: inbox-csv
    connector: csv
    schedule: "@every 1m"
    options:
      input: inbox/csv/*.csv{{"\t"}}# a file or a glob
      source: {{.Agency}}-export{{"\t"}}# names the source system in the manifests
      schema: patient/1{{"\t"}}# the canonical schema the columns map to

  # HL7 v2 files (ER7, batches, MLLP captures), one batch per canonical
  # schema (docs/hl7.md). Uncomment and point input at the feed's folder.
  # - name: lab-feed
  #   connector: hl7
  #   schedule: "@every 15m"
  #   options:
  #     input: /srv/feeds/lab/*.hl7
  #     fallback_charset: windows-1252

  # A PostgreSQL, MySQL/MariaDB or SQLite table, read incrementally by a
  # watermark column (docs/sql.md). Uncomment and fill in the source.
  # - name: registry-patients
  #   connector: sql
  #   schedule: "0 3 * * *"
  #   options:
  #     driver: postgres
  #     dsn: postgres://reader@replica.internal:5432/registry?sslmode=verify-full
  #     password_file: /etc/healthanchor/registry.password
  #     table: patients
  #     schema: patient/1
  #     watermark: updated_at
  #     key: id
{{- if .Cluster}}

# Replication among the consortium's members (docs/replication.md), filled
# from the genesis. The Raft state in data_dir was bootstrapped once by
# healthanchor init: a node never bootstraps itself.
cluster:
  node_id: {{.Agency}}{{"\t"}}# = agency.id; the Common Name of this node's certificate
  raft_addr: "{{.RaftAddr}}"{{"\t"}}# Raft, mutual TLS; peers dial it as written
  api_addr: "{{.APIAddr}}"{{"\t"}}# peer API, mutual TLS: forwarded submissions, checkpoints, status
  data_dir: raft{{"\t"}}# Raft log and stable store (SQLite), snapshots, checkpoints
  tls:
    ca_file: {{.CAFile}}{{"\t"}}# the consortium CA certificate
    cert_file: {{.CertFile}}{{"\t"}}# this node's certificate, signed by the CA (healthanchor ca sign)
    key_file: {{.TLSKeyFile}}{{"\t"}}# this node's TLS key (mode 0600)
  max_block_manifests: 256{{"\t"}}# manifests the leader packs into one block at most
  batch_window: 0s{{"\t"}}# extra wait for more submissions before proposing; 0s: at once, and those arriving meanwhile share the next block
  snapshot_every: 1024{{"\t"}}# committed entries between snapshots of the chain
  snapshot_interval: 30s{{"\t"}}# how often the node checks whether to take one
  trailing_logs: 1024{{"\t"}}# entries kept after a snapshot; a follower further behind gets the snapshot
  observer: false{{"\t"}}# true only for a non-voting replica (an auditor's copy)
  peers:{{"\t"}}# every voting member, this one included, as the genesis names them
{{- range .Peers}}
    - {id: {{.ID}}, raft_addr: "{{.RaftAddr}}", api_addr: "{{.APIAddr}}"}
{{- end}}
{{- end}}
`))
