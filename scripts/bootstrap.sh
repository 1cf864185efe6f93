#!/usr/bin/env bash
# Set up everything erpml needs on a fresh machine of this kind, reusing what is already there:
# Debian packages (unixODBC and ODBC drivers; Chromium, which renders the monitoring report in
# a test), a local virtual environment with erpml and its dev tools installed, and the local
# database servers the tests use.
# Usage: scripts/bootstrap.sh [--with-servers]
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(unixodbc odbc-postgresql odbc-mariadb libsqliteodbc chromium)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "bootstrap: erpml needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.erpml-installed
want=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing erpml and its dependencies into .venv"
  log=.venv/pip-install.log
  if ! { .venv/bin/python -m pip install -q --upgrade pip &&
         .venv/bin/python -m pip install -q -e '.[dev]'; } >"$log" 2>&1; then
    grep -v 'is ignored' "$log" >&2
    echo "bootstrap: pip install failed (full log: $log)" >&2
    exit 1
  fi
  .venv/bin/erpml --version >/dev/null
  echo "$want" > "$stamp"
fi

if [ "${1:-}" = "--with-servers" ]; then
  bash scripts/services.sh
fi
