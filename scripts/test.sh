#!/usr/bin/env bash
# The one test command: the Rust suite on SQLite, on PostgreSQL when TEST_DATABASE_URL is set or
# 127.0.0.1:5432 answers, then the browser tests (tests/browser, Playwright for Python driving
# Debian's Chromium, axe-core and the Nu HTML Checker). The evidence store's S3 tests run against
# moto's S3 server, started here on a free loopback port (XIAOBAO_TEST_S3_ENDPOINT; one given
# already is used instead) and stopped at the end.
#
# On a fresh Debian machine it first installs what is missing: poppler-utils (pdftotext reads the
# issued 调解书 back), chromium, fonts-noto-cjk, a JRE, npm and python3-venv with apt-get (as
# root); a Python venv with pinned playwright and pytest in $CARGO_TARGET_DIR/browser-venv; and
# the pinned npm packages axe-core and vnu-jar in $CARGO_TARGET_DIR/browser-node; pinned moto (its
# S3 part and Flask for its server) in the venv $CARGO_TARGET_DIR/s3-venv. Screenshots
# of every checked page state land in $CARGO_TARGET_DIR/browser-artifacts.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
PYTHON_PACKAGES=("playwright==1.65.2" "pytest==9.2.0")
NPM_PACKAGES=("axe-core@4.14.1" "vnu-jar@26.9.27")
S3_PACKAGES=("moto[s3]==5.2.5" "flask==3.1.3" "flask-cors==6.0.5")

missing=()
command -v pdftotext >/dev/null || missing+=(poppler-utils)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Not `fc-list | grep -q`: grep's early exit would fail the pipe under pipefail.
[[ "$(fc-list 2>/dev/null)" == *"Noto Sans CJK SC"* ]] || missing+=(fonts-noto-cjk)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v npm >/dev/null || missing+=(npm)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/test.sh needs these Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "== installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Each set is installed again whenever its pinned versions change.
venv="$target/browser-venv"
if [ "$(cat "$venv/.pinned" 2>/dev/null)" != "${PYTHON_PACKAGES[*]}" ]; then
  echo "== installing ${PYTHON_PACKAGES[*]} into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "${PYTHON_PACKAGES[@]}"
  echo "${PYTHON_PACKAGES[*]}" >"$venv/.pinned"
fi
node="$target/browser-node"
if [ "$(cat "$node/.pinned" 2>/dev/null)" != "${NPM_PACKAGES[*]}" ]; then
  echo "== installing ${NPM_PACKAGES[*]} into $node"
  rm -rf "$node"
  mkdir -p "$node"
  npm install --prefix "$node" --no-save --no-audit --no-fund --silent "${NPM_PACKAGES[@]}"
  echo "${NPM_PACKAGES[*]}" >"$node/.pinned"
fi

s3_venv="$target/s3-venv"
if [ "$(cat "$s3_venv/.pinned" 2>/dev/null)" != "${S3_PACKAGES[*]}" ]; then
  echo "== installing ${S3_PACKAGES[*]} into $s3_venv"
  rm -rf "$s3_venv"
  python3 -m venv "$s3_venv"
  "$s3_venv/bin/pip" install -q "${S3_PACKAGES[@]}"
  echo "${S3_PACKAGES[*]}" >"$s3_venv/.pinned"
fi

if [ -z "${XIAOBAO_TEST_S3_ENDPOINT:-}" ]; then
  s3_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$s3_venv/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >"$target/s3-server.log" 2>&1 &
  s3_pid=$!
  trap 'kill "$s3_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null && break
    kill -0 "$s3_pid" 2>/dev/null || break
    sleep 0.1
  done
  if (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null; then
    export XIAOBAO_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
    echo "== S3: moto's server on $XIAOBAO_TEST_S3_ENDPOINT (log: $target/s3-server.log)"
  else
    echo "moto's S3 server did not start; see $target/s3-server.log" >&2
    exit 1
  fi
else
  echo "== S3: the server at XIAOBAO_TEST_S3_ENDPOINT=$XIAOBAO_TEST_S3_ENDPOINT"
fi

pg_url="${TEST_DATABASE_URL:-}"
if [ -z "$pg_url" ] && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  pg_url="postgres://postgres@127.0.0.1:5432/postgres"
fi
drop_test_databases() {
  psql "$pg_url" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'xiaobao_test_%'" 2>/dev/null |
    while read -r db; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null || true; done
}

echo "== tests on SQLite"
TEST_DATABASE_URL="" cargo test

if [ -n "$pg_url" ]; then
  echo "== tests on PostgreSQL"
  drop_test_databases
  TEST_DATABASE_URL="$pg_url" cargo test
  drop_test_databases
else
  echo "== PostgreSQL: neither TEST_DATABASE_URL nor 127.0.0.1:5432; its run is left out"
fi

echo "== browser tests"
# The Rust run above built target/debug/xiaobao and wrote the component gallery the tests check.
cargo build -q --bin xiaobao
CARGO_TARGET_DIR="$target" "$venv/bin/python" -m pytest tests/browser -q -p no:cacheprovider
