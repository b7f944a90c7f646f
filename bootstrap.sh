#!/bin/sh
# salt-dsl bootstrap: from a bare machine to one configured by your config repository, in one command.
#
#   curl -sSL <raw URL>/bootstrap.sh | sh -s -- --repo URL [--machine ID] [--profile P] [--environment E]
#       [--user U ...] [--prefix DIR] [--yes] [--dry-run]
#
# Steps (each prints one line with its duration; everything else goes to the log file it names):
# detect the platform, install what is missing (git, Node.js >= 20, Python >= 3.10) with the platform's own
# package manager, clone the config repository into the prefix (or fast-forward it), install its npm
# packages and the pinned Salt (salt-dsl's scripts/setup.sh), register this machine when the inventory
# lacks it (`dsl machine add`), build, then plan and apply (`dsl apply`: it asks first, unless --yes).
# Safe to run again: a step with nothing to do says so, and the last line says whether anything changed.
# For tests, BOOTSTRAP_OS_RELEASE, BOOTSTRAP_UNAME_S, BOOTSTRAP_UNAME_M and BOOTSTRAP_SW_VERS stand in for
# /etc/os-release, `uname -s`, `uname -m` and `sw_vers -productVersion`.
set -eu

REPO=""
MACHINE=""
PROFILE=""
ENVIRONMENT=""
USERS=""
PREFIX="${HOME:-/root}/machines"
YES=0
DRY_RUN=0
DETECT_ONLY=0

usage() {
  echo "usage: bootstrap.sh --repo URL [--machine ID] [--profile P] [--environment E] [--user U ...] [--prefix DIR] [--yes] [--dry-run] [--detect-only]"
}

die() {
  printf 'bootstrap: %s\n' "$1" >&2
  [ -n "${LOG:-}" ] && printf 'bootstrap: %s\n' "$1" >>"$LOG"
  exit "${2:-1}"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --repo) REPO="${2:?--repo needs a URL}"; shift 2 ;;
    --machine) MACHINE="${2:?--machine needs an ID}"; shift 2 ;;
    --profile) PROFILE="${2:?--profile needs a name}"; shift 2 ;;
    --environment) ENVIRONMENT="${2:?--environment needs a name}"; shift 2 ;;
    --user) USERS="$USERS ${2:?--user needs a name}"; shift 2 ;;
    --prefix) PREFIX="${2:?--prefix needs a directory}"; shift 2 ;;
    --yes | -y) YES=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --detect-only) DETECT_ONLY=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" 2 ;;
  esac
done

# ---- platform ---------------------------------------------------------------------------------------

# Sets OS (macos, debian, ubuntu, fedora, arch), VERSION, ARCH (x86_64, arm64) and PKG; refuses others (3).
detect_platform() {
  kernel="${BOOTSTRAP_UNAME_S:-$(uname -s)}"
  machine="${BOOTSTRAP_UNAME_M:-$(uname -m)}"
  case "$machine" in
    x86_64 | amd64) ARCH=x86_64 ;;
    arm64 | aarch64) ARCH=arm64 ;;
    *) die "unsupported architecture '$machine': salt-dsl supports x86_64 and arm64" 3 ;;
  esac
  case "$kernel" in
    Darwin)
      OS=macos
      VERSION="${BOOTSTRAP_SW_VERS:-$(sw_vers -productVersion 2>/dev/null || echo unknown)}"
      PKG=brew
      ;;
    Linux)
      release="${BOOTSTRAP_OS_RELEASE:-/etc/os-release}"
      [ -r "$release" ] || die "unsupported Linux: no $release to tell the distribution" 3
      id="$(os_release_field ID "$release")"
      VERSION="$(os_release_field VERSION_ID "$release")"
      case "$id" in
        debian | ubuntu) OS="$id"; PKG=apt-get ;;
        fedora) OS=fedora; PKG=dnf ;;
        arch) OS=arch; PKG=pacman; VERSION="${VERSION:-rolling}" ;;
        *) die "unsupported Linux distribution '$id' ($(os_release_field PRETTY_NAME "$release")): salt-dsl supports macOS, Debian, Ubuntu, Fedora and Arch" 3 ;;
      esac
      ;;
    *) die "unsupported operating system '$kernel': salt-dsl supports macOS, Debian, Ubuntu, Fedora and Arch" 3 ;;
  esac
}

# A field of an os-release file, without its quotes (the file is read, never sourced).
os_release_field() {
  sed -n "s/^$1=//p" "$2" | head -n 1 | sed 's/^"\(.*\)"$/\1/; s/^'"'"'\(.*\)'"'"'$/\1/'
}

# ---- steps ------------------------------------------------------------------------------------------

STEP=0
CHANGED=0
NOTE=""
START_ALL="$(date +%s)"

# step TITLE FUNCTION: runs FUNCTION (which may set NOTE and CHANGED) and prints one line with its duration.
step() {
  STEP=$((STEP + 1))
  title="$1"
  shift
  NOTE=""
  started="$(date +%s)"
  printf '== %s\n' "$title" >>"$LOG"
  if "$@"; then
    printf '[%d] %s: %s (%ss)\n' "$STEP" "$title" "${NOTE:-done}" "$(($(date +%s) - started))" | tee -a "$LOG"
  else
    code=$?
    tail -n 15 "$LOG" >&2
    printf '[%d] %s: FAILED (%ss; the log: %s)\n' "$STEP" "$title" "$(($(date +%s) - started))" "$LOG" | tee -a "$LOG" >&2
    exit "$code"
  fi
}

# Runs a command with its output in the log only.
logged() {
  printf '$ %s\n' "$*" >>"$LOG"
  "$@" >>"$LOG" 2>&1 </dev/null
}

as_root() {
  if [ "$(id -u)" -eq 0 ] || [ "$PKG" = brew ]; then logged "$@"; else logged sudo "$@"; fi
}

APT_UPDATED=0
install_packages() {
  if [ "$DRY_RUN" -eq 1 ]; then
    NOTE="would install $* with $PKG"
    return 0
  fi
  case "$PKG" in
    apt-get)
      if [ "$APT_UPDATED" -eq 0 ]; then
        as_root apt-get update || return 1
        APT_UPDATED=1
      fi
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" || return 1
      ;;
    dnf) as_root dnf install -y "$@" || return 1 ;;
    pacman) as_root pacman -S --needed --noconfirm "$@" || return 1 ;;
    brew) logged brew install "$@" || return 1 ;;
  esac
  CHANGED=1
  NOTE="installed $* with $PKG"
}

major_of() { printf '%s' "$1" | sed 's/^v//' | cut -d. -f1; }
minor_of() { printf '%s' "$1" | cut -d. -f2; }

need_git() {
  if command -v git >/dev/null 2>&1; then
    NOTE="present ($(git --version | sed 's/^git version //'))"
    return 0
  fi
  install_packages git || return 1
}

node_version() { node -p 'process.versions.node' 2>/dev/null || echo 0; }
need_node() {
  v="$(node_version)"
  if [ "$(major_of "$v")" -ge 20 ] && command -v npm >/dev/null 2>&1; then
    NOTE="present (Node.js $v)"
    return 0
  fi
  case "$PKG" in
    apt-get | dnf | pacman) install_packages nodejs npm || return 1 ;;
    brew) install_packages node || return 1 ;;
  esac
  [ "$DRY_RUN" -eq 1 ] && return 0
  v="$(node_version)"
  [ "$(major_of "$v")" -ge 20 ] ||
    die "$PKG installed Node.js $v, salt-dsl needs >= 20: install a newer one (NodeSource's packages, or nvm) and run again"
}

python_version() { python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 0.0; }
need_python() {
  v="$(python_version)"
  if [ "$(major_of "$v")" -eq 3 ] && [ "$(minor_of "$v")" -ge 10 ] && python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    NOTE="present (Python $v)"
    return 0
  fi
  case "$PKG" in
    apt-get) install_packages python3 python3-venv || return 1 ;;
    dnf) install_packages python3 || return 1 ;;
    pacman) install_packages python || return 1 ;;
    brew) install_packages python@3.12 || return 1 ;;
  esac
  [ "$DRY_RUN" -eq 1 ] && return 0
  v="$(python_version)"
  [ "$(minor_of "$v")" -ge 10 ] || die "$PKG installed Python $v, Salt needs >= 3.10"
}

clone_config() {
  if [ -d "$PREFIX/.git" ]; then
    before="$(git -C "$PREFIX" rev-parse HEAD)"
    if [ "$DRY_RUN" -eq 1 ]; then
      NOTE="would fast-forward $PREFIX"
      return 0
    fi
    logged git -C "$PREFIX" pull --ff-only ||
      die "$PREFIX has diverged from its remote: salt-dsl only fast-forwards; merge it by hand"
    after="$(git -C "$PREFIX" rev-parse HEAD)"
    if [ "$before" = "$after" ]; then
      NOTE="up to date ($(git -C "$PREFIX" rev-parse --short HEAD))"
    else
      NOTE="fast-forwarded to $(git -C "$PREFIX" rev-parse --short HEAD)"
      CHANGED=1
    fi
    return 0
  fi
  if [ -d "$PREFIX" ] && [ -n "$(ls -A "$PREFIX")" ]; then
    die "$PREFIX exists and is not a clone: pick another --prefix"
  fi
  if [ "$DRY_RUN" -eq 1 ]; then
    NOTE="would clone $REPO into $PREFIX"
    return 0
  fi
  logged git clone "$REPO" "$PREFIX" || return 1
  NOTE="cloned into $PREFIX"
  CHANGED=1
}

# Whether file $1 exists and is newer than $2 (POSIX test has no -nt).
newer() { [ -e "$1" ] && [ -n "$(find "$1" -prune -newer "$2")" ]; }

npm_packages() {
  if [ ! -f "$PREFIX/package.json" ]; then
    [ "$DRY_RUN" -eq 1 ] && { NOTE="would run npm install in $PREFIX"; return 0; }
    die "$PREFIX holds no salt-dsl project (no package.json): make one with \`dsl init\`, push it to the repository, and run again"
  fi
  stamp="$PREFIX/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && ! newer "$PREFIX/package.json" "$stamp" && ! newer "$PREFIX/package-lock.json" "$stamp"; then
    NOTE="up to date"
    return 0
  fi
  if [ "$DRY_RUN" -eq 1 ]; then
    NOTE="would run npm install in $PREFIX"
    return 0
  fi
  # install, not ci: a lock made elsewhere names a `file:` salt-dsl by a path relative to where it was made;
  # --no-save keeps the clone's files as they are (only node_modules changes)
  (cd "$PREFIX" && logged npm install --no-audit --no-fund --no-save) || return 1
  NOTE="installed"
  CHANGED=1
}

salt_install() {
  dsl_root="$PREFIX/node_modules/salt-dsl"
  lock="$dsl_root/scripts/requirements.lock"
  if [ "$DRY_RUN" -eq 1 ] && [ ! -f "$lock" ]; then
    NOTE="would install the pinned Salt (salt-dsl's scripts/setup.sh)"
    return 0
  fi
  [ -f "$lock" ] || die "$PREFIX does not depend on salt-dsl (no $lock): is it a salt-dsl project (dsl init)?"
  want="$(sed -n 's/^salt==\([^ ;]*\).*/\1/p' "$lock")"
  for venv in "$PREFIX/.venv" "$dsl_root/.venv"; do
    have="$("$venv/bin/salt-call" --version 2>/dev/null || true)"
    case "$have" in
      "salt-call $want "*)
        NOTE="present (Salt $want in $venv)"
        return 0
        ;;
    esac
  done
  if [ "$DRY_RUN" -eq 1 ]; then
    NOTE="would install Salt $want (salt-dsl's scripts/setup.sh)"
    return 0
  fi
  logged bash "$dsl_root/scripts/setup.sh" || return 1
  NOTE="installed Salt $want"
  CHANGED=1
}

dsl() { (cd "$PREFIX" && "$PREFIX/node_modules/.bin/dsl" "$@"); }

register_machine() {
  if [ "$DRY_RUN" -eq 1 ] && [ ! -x "$PREFIX/node_modules/.bin/dsl" ]; then
    NOTE="would register this machine unless the inventory has it"
    return 0
  fi
  set -- --yes --if-missing
  [ -n "$MACHINE" ] && set -- "$MACHINE" "$@"
  [ -n "$PROFILE" ] && set -- "$@" --profile "$PROFILE"
  [ -n "$ENVIRONMENT" ] && set -- "$@" --environment "$ENVIRONMENT"
  for u in $USERS; do set -- "$@" --user "$u"; done
  [ "$DRY_RUN" -eq 1 ] && set -- "$@" --dry-run
  out="$(dsl machine add "$@" 2>>"$LOG")" || {
    printf '%s\n' "$out" >>"$LOG"
    die "could not register this machine (see $LOG)"
  }
  printf '%s\n' "$out" >>"$LOG"
  case "$out" in
    *"already in the inventory"*) NOTE="$(printf '%s\n' "$out" | tail -n 1)" ;;
    *) NOTE="$(printf '%s\n' "$out" | grep '^registered\|^would register' | head -n 1); commit and push $PREFIX/config to keep it"
      [ "$DRY_RUN" -eq 1 ] || CHANGED=1 ;;
  esac
}

build_config() {
  if [ "$DRY_RUN" -eq 1 ] && [ ! -x "$PREFIX/node_modules/.bin/dsl" ]; then
    NOTE="would build"
    return 0
  fi
  logged dsl build || return 1
  NOTE="built $PREFIX/out"
}

plan_and_apply() {
  set --
  [ -n "$MACHINE" ] && set -- --machine "$MACHINE"
  if [ "$DRY_RUN" -eq 1 ]; then
    if [ ! -x "$PREFIX/node_modules/.bin/dsl" ]; then
      NOTE="would plan and apply"
      return 0
    fi
    dsl plan "$@" 2>&1 | tee -a "$LOG"
    NOTE="planned only (--dry-run)"
    return 0
  fi
  shown="$LOG.apply"
  code=0
  if [ "$YES" -eq 1 ]; then
    dsl apply "$@" --yes >"$shown" 2>&1 </dev/null || code=$?
    # the plan and the apply's progress, as dsl apply printed them
    sed 's/^/    /' "$shown"
  elif [ -r /dev/tty ] && [ -t 1 ]; then
    # stdin is the piped script: the question is asked on the terminal itself
    { dsl apply "$@" </dev/tty 2>&1 || echo "$?" >"$shown.code"; } | tee "$shown"
    [ -f "$shown.code" ] && code="$(cat "$shown.code")" && rm -f "$shown.code"
  else
    die "not on a terminal: pass --yes to apply without asking (or --dry-run to see the plan)" 2
  fi
  cat "$shown" >>"$LOG"
  out="$(cat "$shown")"
  rm -f "$shown"
  [ "$code" -eq 0 ] || return "$code"
  case "$out" in
    *"nothing to change"*) NOTE="nothing to change" ;;
    *) NOTE="$(printf '%s\n' "$out" | grep '^Applied:' | tail -n 1)"; CHANGED=1 ;;
  esac
}

# ---- main -------------------------------------------------------------------------------------------

LOG="${BOOTSTRAP_LOG:-${TMPDIR:-/tmp}/salt-dsl-bootstrap-$(date +%Y%m%d-%H%M%S)-$$.log}"
: >"$LOG" || { echo "bootstrap: cannot write the log $LOG" >&2; exit 1; }
detect_platform
if [ "$DETECT_ONLY" -eq 1 ]; then
  printf 'os=%s version=%s arch=%s package-manager=%s\n' "$OS" "$VERSION" "$ARCH" "$PKG"
  exit 0
fi
[ -n "$REPO" ] || [ -d "$PREFIX/.git" ] || die "which config repository? pass --repo URL (make one with \`dsl init\`, then push it)" 2
echo "bootstrap: $OS $VERSION $ARCH; log: $LOG"
[ "$DRY_RUN" -eq 1 ] && echo "bootstrap: dry run: nothing is installed, written or applied"

step "git" need_git
step "Node.js >= 20" need_node
step "Python >= 3.10" need_python
step "config repository" clone_config
step "npm packages" npm_packages
step "Salt" salt_install
step "this machine in the inventory" register_machine
step "build" build_config
step "plan and apply" plan_and_apply

total=$(($(date +%s) - START_ALL))
if [ "$DRY_RUN" -eq 1 ]; then
  echo "bootstrap: dry run done in ${total}s; log: $LOG" | tee -a "$LOG"
elif [ "$CHANGED" -eq 0 ]; then
  echo "bootstrap: nothing to do: this machine was already set up (${total}s); log: $LOG" | tee -a "$LOG"
else
  echo "bootstrap: done in ${total}s; log: $LOG" | tee -a "$LOG"
fi
