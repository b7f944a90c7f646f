#!/usr/bin/env bash
# Installs everything salt-dsl needs, idempotently: npm packages, the CLI bundle, and a project-local
# Python venv (.venv/) with a pinned Salt. Safe to run twice; fails loudly when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SALT_VERSION="3008.4"   # 3008.5 needs certifi>=2026.10.23, which the package index here does not serve
PYTHON="${PYTHON:-python3}"

command -v node >/dev/null || { echo "setup: node is required (>= 20)" >&2; exit 1; }
command -v "$PYTHON" >/dev/null || { echo "setup: $PYTHON is required (>= 3.10)" >&2; exit 1; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node scripts/bundle.js

if [ ! -x .venv/bin/salt-call ] || ! .venv/bin/python -c "import salt.version,sys; sys.exit(salt.version.__version__ != '$SALT_VERSION')" 2>/dev/null; then
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "salt==$SALT_VERSION"
fi
.venv/bin/salt-call --version >/dev/null || { echo "setup: .venv/bin/salt-call does not run" >&2; exit 1; }
