#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing (playwright-core ships no browser).
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "chromium is missing at $CHROMIUM and this user cannot install packages: run 'apt-get install -y chromium' as root." >&2
    exit 1
  fi
fi

echo "Installing chromium with apt-get (once)..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
"$CHROMIUM" --version
