#!/usr/bin/env python3
"""A small Singer tap, as tap-csv would be, for healthanchor's exec connector.

It reads two CSV files named in its --config (patients_path, visits_path),
emits the streams "patients" and "visits" (SCHEMA, then RECORD messages
with an id above the stream's bookmark), and a final STATE with the
largest id of each stream. With --state it resumes after the bookmarks.
Config keys for tests: runs_log (a file to append one line per run to),
token (must equal "s3cret" when present), fail, garbage, no_state.
"""
import argparse, csv, json, sys

ap = argparse.ArgumentParser()
ap.add_argument("--config", required=True)
ap.add_argument("--state")
args = ap.parse_args()
config = json.load(open(args.config))
state = json.load(open(args.state)) if args.state else {}
bookmarks = state.get("bookmarks", {})

if config.get("runs_log"):
    with open(config["runs_log"], "a") as f:
        f.write("run state=%s\n" % json.dumps(state, sort_keys=True))
if "token" in config and config["token"] != "s3cret":
    print("tap_registry: authentication failed: bad token", file=sys.stderr)
    sys.exit(1)

def emit(msg):
    sys.stdout.write(json.dumps(msg, ensure_ascii=False) + "\n")

streams = {"patients": config.get("patients_path"), "visits": config.get("visits_path")}
for stream, path in streams.items():
    if not path:
        continue
    emit({"type": "SCHEMA", "stream": stream, "key_properties": ["id"],
          "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}})
    last = bookmarks.get(stream, {}).get("id", 0)
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rid = int(row["id"])
            if rid <= last:
                continue
            rec = {k: (v if v != "" else None) for k, v in row.items()}
            rec["id"] = rid
            emit({"type": "RECORD", "stream": stream, "record": rec})
            bookmarks.setdefault(stream, {})["id"] = max(rid, bookmarks.get(stream, {}).get("id", 0))
    if config.get("garbage"):
        sys.stdout.write("this is not json\n")
    sys.stdout.flush()

if config.get("fail"):
    print("tap_registry: connection reset by peer while reading visits", file=sys.stderr)
    sys.exit(3)
if not config.get("no_state"):
    emit({"type": "STATE", "value": {"bookmarks": bookmarks}})
