#!/bin/sh
# A complete Singer tap in POSIX sh. It sends the records of a file of
# "mrn;family;given;birth date" lines that come after the last line a
# committed STATE names, one RECORD message each, then the STATE of the
# file's last line. healthanchor runs it as
#   sh tap_patients.sh DATA --config FILE [--state FILE]
# (the job's command, then the options it adds). The data holds no quote
# or backslash: a tap whose values may have them escapes them for JSON.
set -eu
data=$1
shift
sent=0
while [ $# -gt 0 ]; do
  case $1 in
    --state) sent=$(sed -n 's/.*"line" *: *\([0-9][0-9]*\).*/\1/p' "$2"); shift 2 ;;
    *) shift ;;
  esac
done
echo '{"type":"SCHEMA","stream":"patients","schema":{"type":"object"},"key_properties":["mrn"]}'
n=0
while IFS=';' read -r mrn family given dob; do
  n=$((n + 1))
  [ "$n" -le "${sent:-0}" ] && continue
  printf '{"type":"RECORD","stream":"patients","record":{"mrn":"%s","family":"%s","given":"%s","dob":"%s"}}\n' \
    "$mrn" "$family" "$given" "$dob"
done <"$data"
printf '{"type":"STATE","value":{"line":%d}}\n' "$n"
