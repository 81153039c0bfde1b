#!/usr/bin/env bash
# Proves the README's two commands from a clean clone on a machine whose Node is too old: clones
# this repository into a temporary folder, puts an old Node (default: the machine's /usr/bin/node)
# first on PATH, then runs `./run start` until the site answers, and `./run test` (pass
# `--unit` to run only the unit tests). Prints how long each took.
#
#   bash scripts/newcomer-check.sh [--unit] [--old-node-dir DIR] [--keep]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
old_dir=/usr/bin unit="" keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --unit) unit="-- --unit" ;;
    --old-node-dir) old_dir="$2"; shift ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
work="$(mktemp -d /tmp/newcomer.XXXXXX)"
[ -n "$keep" ] || trap 'pkill -f "$work/p/scripts/serve.ts" 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/p"
[ -d "$repo/../shared" ] && cp -r "$repo/../shared" "$work/shared"
cd "$work/p"
export PATH="$old_dir:/usr/local/sbin:/usr/sbin:/sbin:/bin"
echo "newcomer: node on PATH: $(node --version 2>/dev/null || echo none), clone in $work/p"

t0=$(date +%s)
./run start > "$work/start.log" 2>&1 &
pid=$!
until curl -fsS -o /dev/null http://127.0.0.1:4321/ 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { tail -20 "$work/start.log"; echo "newcomer: ./run start exited before serving"; exit 1; }
  sleep 2
done
t1=$(date +%s)
curl -fsS http://127.0.0.1:4321/ | grep -q "Fashion-MNIST Live" || { echo "newcomer: the served page is not the site"; exit 1; }
echo "newcomer: ./run start served the site after $((t1 - t0)) s"
pkill -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; pkill -f "$work/p/scripts/serve.ts" 2>/dev/null || true

t2=$(date +%s)
# shellcheck disable=SC2086
./run test $unit 2>&1 | tee "$work/test.log" | tail -1
status=${PIPESTATUS[0]}
echo "newcomer: ./run test $unit took $(( $(date +%s) - t2 )) s (exit $status)"
exit "$status"
