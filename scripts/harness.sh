#!/usr/bin/env bash
# Proof under load and faults: scripts/harness.sh [short|full] [crash|dbfault|instances|soak]…
# (default: short, every part). Runs against its own PostgreSQL 15 cluster on port 5433, created
# here when absent, so the cluster on 5432 that the tests use is never stopped. Builds the service
# in release and prints each part's figures and PASS/FAIL; exits non-zero on any FAIL.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_VERSION=${HARNESS_PG_VERSION:-15}
PG_CLUSTER=${HARNESS_PG_CLUSTER:-harness}
PG_PORT=5433

if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1 == v && $2 == c' | grep -q .; then
  pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -p "$PG_PORT" -- --auth=trust >/dev/null
fi
if ! pg_isready -h 127.0.0.1 -p "$PG_PORT" -q; then
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start ||
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
fi
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p "$PG_PORT" -q && break
  sleep 1
done

export HARNESS_DATABASE_URL="postgres://postgres@127.0.0.1:${PG_PORT}/postgres"
export HARNESS_PG_VERSION="$PG_VERSION" HARNESS_PG_CLUSTER="$PG_CLUSTER"
cargo bench --bench harness --quiet -- "$@"
