#!/usr/bin/env bash
# Builds the SeaweedFS server (weed) pinned by this module into a cache folder
# outside the repository, reusing it when it is already there, and prints its
# path. The first build takes about ten minutes on two cores; later calls
# return at once. The cache folder is
#   ${HEALTHANCHOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/healthanchor}/weed-<version>
# where <version> is the SeaweedFS module version in go.mod.
# Usage: tools/s3server/build.sh        (prints the binary's path)
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin"

version=$(go list -m -f '{{.Version}}' github.com/seaweedfs/seaweedfs)
cache="${HEALTHANCHOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/healthanchor}"
bin="$cache/weed-$version/weed"

if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache/weed-$version"
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
echo "building SeaweedFS $version into $bin (about ten minutes the first time)" >&2
if ! GOFLAGS=-mod=readonly go build -trimpath -o "$tmp" github.com/seaweedfs/seaweedfs/weed >&2; then
  echo "build.sh: building SeaweedFS $version failed" >&2
  exit 1
fi
# The binary appears under its final name only once it is complete.
mv -f "$tmp" "$bin"
echo "$bin"
