#!/usr/bin/env bash
# Starts the compiled demo app once under plain node (embedded PostgreSQL in a temp folder),
# checks that it answers, and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d)
chmod 755 "$data"
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
AUTH_DATA_DIR="$data" PORT="$port" AUTH_ADMIN_USERNAME=admin AUTH_ADMIN_PASSWORD="$(head -c 12 /dev/urandom | base64)" \
  node dist/src/demo/main.js >"$data/out.log" 2>&1 &
pid=$!
ok=0
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/api/v1/hello" >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.5
done
kill -INT "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
if [ "$ok" != 1 ]; then
  echo "The compiled demo did not start:"; cat "$data/out.log"; rm -rf "$data"; exit 1
fi
echo "compiled demo started and answered on port $port"
rm -rf "$data"
