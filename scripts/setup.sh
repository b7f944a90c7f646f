#!/usr/bin/env bash
# Installs everything salt-dsl needs, idempotently: npm packages, the CLI bundle, and a project-local
# Python venv (.venv/) with the pinned Salt and every package it pulls in, each file checked against the
# sha256 in scripts/requirements.lock. Safe to run twice; fails loudly when something is missing.
#
#   bash scripts/setup.sh          what salt-dsl itself needs
#   bash scripts/setup.sh --test   and the system tools the test suite drives (as root, with apt-get):
#                                  gnupg and pass (secrets), chromium (dashboard and docs site, through
#                                  puppeteer-core), shellcheck (bootstrap.sh), zsh and fish (completion),
#                                  systemd-analyze (the drift timer's units), openssh-server (salt-ssh
#                                  to a local sshd in the fleet tests)
set -euo pipefail
cd "$(dirname "$0")/.."
TEST_TOOLS=0
for arg in "$@"; do
  case "$arg" in
  --test) TEST_TOOLS=1 ;;
  *) echo "setup: unknown option $arg (known: --test)" >&2 && exit 2 ;;
  esac
done

LOCK="scripts/requirements.lock"   # regenerate with: bash scripts/lock-python.sh
# The CPython versions the lock has been installed on and Salt run from (its markers reach further; these
# are the ones tried). Another version fails here rather than half-way through pip.
PYTHONS_TRIED="3.10 3.11 3.12 3.13"
PYTHON="${PYTHON:-python3}"
STAMP=".venv/salt-dsl-lock"        # what .venv was installed from: the lock's sha256 and the Python version

say() { echo "setup: $*"; }
fail() {
  echo "setup: $*" >&2
  exit 1
}

command -v node >/dev/null || fail "node is required (>= 20)"

# the system tools the tests drive: command name → Debian package
if [ "$TEST_TOOLS" = 1 ]; then
  missing=()
  for pair in gpg:gnupg pass:pass chromium:chromium shellcheck:shellcheck zsh:zsh fish:fish systemd-analyze:systemd sshd:openssh-server; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; } ||
      fail "the tests need ${missing[*]}: install them (Debian: apt-get install ${missing[*]}) or run this as root"
    say "installing the tools the tests drive: ${missing[*]} (apt-get)…"
    { apt-get install -y --no-install-recommends "${missing[@]}" ||
      { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }; } >/dev/null ||
      fail "apt-get could not install ${missing[*]}"
  fi
fi
command -v "$PYTHON" >/dev/null || fail "$PYTHON is required (CPython ${PYTHONS_TRIED// /, }; set PYTHON=...)"
[ -f "$LOCK" ] || fail "$LOCK is missing"
SALT_VERSION="$(sed -n 's/^salt==\([^ ;]*\).*/\1/p' "$LOCK")"
[ -n "$SALT_VERSION" ] || fail "$LOCK pins no salt"

read -r py_impl py_minor py_full < <("$PYTHON" -c 'import sys; v = sys.version_info; print(sys.implementation.name, "%d.%d" % v[:2], "%d.%d.%d" % v[:3])')
if [ "$py_impl" != cpython ] || [[ " $PYTHONS_TRIED " != *" $py_minor "* ]]; then
  fail "$PYTHON is $py_impl $py_full; $LOCK is for CPython ${PYTHONS_TRIED// /, }: run with PYTHON=python3.11 (or another of them)"
fi
lock_sha="$("$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$LOCK")"
want="lock sha256 $lock_sha python $py_minor"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing the npm packages (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "bundling the CLI into dist/…"
node scripts/bundle.js
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && .venv/bin/python -c '' 2>/dev/null; then
  say ".venv is current (Salt $SALT_VERSION, CPython $py_minor, $LOCK sha256 ${lock_sha:0:12})"
else
  if [ -e .venv ] || [ -L .venv ]; then
    [ -f .venv/pyvenv.cfg ] || fail ".venv exists but is not a Python venv (no pyvenv.cfg): move it away and run again"
    if [ -f "$STAMP" ]; then
      say ".venv was installed from another lock or Python ($(cat "$STAMP")): rebuilding it"
    else
      say ".venv was not installed from $LOCK (or its install did not finish): rebuilding it"
    fi
    rm -rf .venv
  fi
  say "creating .venv with $PYTHON (CPython $py_full)…"
  "$PYTHON" -m venv .venv
  say "installing the pinned Salt $SALT_VERSION and its locked packages, every file checked against its hash (about 30-60 s)…"
  # Hash-checking mode: every requirement must be pinned with a hash, and a dependency the lock lacks is an
  # error rather than a fresh resolution (so --no-deps is not needed, and would hide an incomplete lock).
  # pip run as python3: the scripts it installs (salt-call) run .venv/bin/python3 whatever $PYTHON was called,
  # and Salt reports that path as its pythonexecutable grain
  .venv/bin/python3 -m pip install --quiet --disable-pip-version-check --no-input --require-hashes -r "$LOCK" ||
    fail "pip could not install $LOCK (see above); .venv is left unstamped, so the next run starts over"
  .venv/bin/python3 -m pip check --disable-pip-version-check >/dev/null ||
    fail "the packages of $LOCK do not fit together: $(.venv/bin/python3 -m pip check)"
  echo "$want" >"$STAMP"
fi

installed="$(.venv/bin/salt-call --version 2>/dev/null)" ||
  fail ".venv/bin/salt-call does not run: rm -rf .venv and run setup again"
[[ "$installed" == "salt-call $SALT_VERSION "* ]] || fail ".venv holds '$installed', not Salt $SALT_VERSION: rm -rf .venv and run setup again"
say "done: $installed, CPython $py_full"
