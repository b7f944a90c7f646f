#!/usr/bin/env bash
# Regenerates scripts/requirements.lock from scripts/requirements.in: every package Salt pulls in, pinned
# with the sha256 of each of its files, so that every fresh clone installs the same bytes. One universal
# resolution (environment markers) covers CPython 3.10 and later on every platform; where a package's newest
# version drops 3.10, 3.10 gets its own pin. The resolver (uv, pinned below) runs from a throw-away venv
# under /tmp, never from .venv. Run it after changing requirements.in, then `bash scripts/setup.sh`
# (it sees the new lock and rebuilds .venv) and the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.8"
PYTHON="${PYTHON:-python3}"
OLDEST_PYTHON="3.10"   # the README's minimum; scripts/setup.sh names the versions the lock was tried on

tools="$(mktemp -d /tmp/salt-dsl-lock.XXXXXX)"
trap 'rm -rf "$tools"' EXIT
echo "lock: installing the resolver (uv $UV_VERSION) into $tools"
"$PYTHON" -m venv "$tools/venv"
"$tools/venv/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"

echo "lock: resolving scripts/requirements.in for Python >= $OLDEST_PYTHON, all platforms"
"$tools/venv/bin/uv" pip compile scripts/requirements.in \
  --universal --python-version "$OLDEST_PYTHON" --generate-hashes \
  --no-cache --quiet \
  --custom-compile-command "bash scripts/lock-python.sh" \
  --output-file scripts/requirements.lock
echo "lock: wrote scripts/requirements.lock ($(grep -c '==' scripts/requirements.lock) pins); run bash scripts/setup.sh"
