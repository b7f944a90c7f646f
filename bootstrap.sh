#!/bin/sh
# salt-dsl bootstrap: from a bare machine to one configured by your config repository, in one command.
#
#   curl -sSL <raw URL>/bootstrap.sh | sh -s -- --repo URL [--machine ID] [--profile P] [--environment E]
#       [--user U ...] [--prefix DIR] [--yes] [--dry-run]
#   ... | sh -s -- --repo URL --master HOST [--master-port N] [--machine ID]     (a minion of a salt-master)
#
# Steps (each prints one line with its duration; everything else goes to the log file it names):
# detect the platform, install what is missing (git, Node.js >= 20, Python >= 3.10) with the platform's own
# package manager, clone the config repository into the prefix (or fast-forward it), install its npm
# packages and the pinned Salt (salt-dsl's scripts/setup.sh), register this machine when the inventory
# lacks it (`dsl machine add`), build, then plan and apply (`dsl apply`: it asks first, unless --yes).
# With --master, instead of registering and applying here: write the minion settings the inventory gives
# this machine (`dsl fleet minion-config`: id, master, master_port, the `dsl:` grains) to
# /etc/salt/minion.d/salt-dsl.conf, and start the pinned Salt's salt-minion (a systemd unit
# salt-dsl-minion when systemd runs the machine, the launchd daemon org.salt-dsl.minion on macOS, else a
# daemon whose pid file it names); its key then waits on the master for `dsl fleet accept ID`.
# Safe to run again: a step with nothing to do says so, and the last line says whether anything changed.
# For tests, BOOTSTRAP_OS_RELEASE, BOOTSTRAP_UNAME_S, BOOTSTRAP_UNAME_M and BOOTSTRAP_SW_VERS stand in for
# /etc/os-release, `uname -s`, `uname -m` and `sw_vers -productVersion`; BOOTSTRAP_SALT_CONFIG for
# /etc/salt, BOOTSTRAP_SALT_ROOT for the minion's root_dir (/), and BOOTSTRAP_INIT (systemd, launchd or
# daemon) for what starts the minion.
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
MASTER=""
MASTER_PORT=""

usage() {
  echo "usage: bootstrap.sh --repo URL [--machine ID] [--profile P] [--environment E] [--user U ...] [--prefix DIR] [--master HOST [--master-port N]] [--yes] [--dry-run] [--detect-only]"
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
    --master) MASTER="${2:?--master needs a host}"; shift 2 ;;
    --master-port) MASTER_PORT="${2:?--master-port needs a port}"; shift 2 ;;
    --yes | -y) YES=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --detect-only) DETECT_ONLY=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" 2 ;;
  esac
done

[ -z "$MASTER_PORT" ] || [ -n "$MASTER" ] || { usage >&2; die "--master-port goes with --master HOST" 2; }

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
  if salt_venv "$want"; then
    NOTE="present (Salt $want in $SALT_VENV)"
    return 0
  fi
  if [ "$DRY_RUN" -eq 1 ]; then
    NOTE="would install Salt $want (salt-dsl's scripts/setup.sh)"
    return 0
  fi
  logged bash "$dsl_root/scripts/setup.sh" || return 1
  salt_venv "$want" || die "salt-dsl's scripts/setup.sh installed no Salt $want (see $LOG)"
  NOTE="installed Salt $want"
  CHANGED=1
}

# Sets SALT_VENV to the venv holding Salt $1 (the project's own, else salt-dsl's); false if none does.
SALT_VENV=""
salt_venv() {
  for venv in "$PREFIX/.venv" "$PREFIX/node_modules/salt-dsl/.venv"; do
    case "$("$venv/bin/salt-call" --version 2>/dev/null || true)" in
      "salt-call $1 "*)
        SALT_VENV="$venv"
        return 0
        ;;
    esac
  done
  return 1
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

# ---- a minion of a salt-master (--master) -------------------------------------------------------------

SALT_CONF="${BOOTSTRAP_SALT_CONFIG:-/etc/salt}"
# Salt puts its pid file, keys and cache under root_dir (/ unless a test moves it)
SALT_ROOT="${BOOTSTRAP_SALT_ROOT:-}"
MINION_CONF="$SALT_CONF/minion.d/salt-dsl.conf"
MINION_CONF_CHANGED=0
MINION_ID=""
MINION_KNOWN=0
UNIT=salt-dsl-minion
PLIST_LABEL=org.salt-dsl.minion

# Runs a command as root (sudo unless already root), its output in the log only.
root_do() {
  if [ "$(id -u)" -eq 0 ]; then logged "$@"; else logged sudo "$@"; fi
}

# Puts file $2 in place of $1 (a copy beside it, then one rename): a reader sees the old file or the new one.
install_file() {
  root_do mkdir -p "$(dirname "$1")" && root_do cp "$2" "$1.salt-dsl-new" && root_do mv "$1.salt-dsl-new" "$1"
}

# The minion settings the inventory gives this machine (`dsl fleet minion-config`), written to minion.d/.
minion_config() {
  if [ "$DRY_RUN" -eq 1 ] && [ ! -x "$PREFIX/node_modules/.bin/dsl" ]; then
    NOTE="would write $MINION_CONF (master $MASTER)"
    return 0
  fi
  set -- --master "$MASTER" --platform "$OS"
  [ -n "$MACHINE" ] && set -- "$MACHINE" "$@"
  [ -n "$MASTER_PORT" ] && set -- "$@" --master-port "$MASTER_PORT"
  [ -n "$PROFILE" ] && set -- "$@" --profile "$PROFILE"
  [ -n "$ENVIRONMENT" ] && set -- "$@" --environment "$ENVIRONMENT"
  for u in $USERS; do set -- "$@" --user "$u"; done
  [ -n "$SALT_ROOT" ] && set -- "$@" --root-dir "$SALT_ROOT"
  new="$LOG.minion"
  if ! dsl fleet minion-config "$@" >"$new" 2>"$new.note"; then
    cat "$new.note" >>"$LOG"
    why="$(tail -n 1 "$new.note")"
    rm -f "$new" "$new.note"
    die "this machine cannot join $MASTER: $why"
  fi
  # its one line: 'ID' is (not) in the inventory ...
  said="$(tail -n 1 "$new.note")"
  printf '%s\n' "$said" >>"$LOG"
  rm -f "$new.note"
  MINION_ID="$(printf '%s\n' "$said" | sed -n "s/^'\\([^']*\\)'.*/\\1/p")"
  case "$said" in *"not in the inventory"*) MINION_KNOWN=0 ;; *) MINION_KNOWN=1 ;; esac
  if [ -f "$MINION_CONF" ] && cmp -s "$new" "$MINION_CONF"; then
    rm -f "$new"
    NOTE="already up to date ($said)"
    return 0
  fi
  if [ "$DRY_RUN" -eq 1 ]; then
    rm -f "$new"
    NOTE="would write $MINION_CONF ($said)"
    return 0
  fi
  # Salt warns, and falls back on its defaults' file, when the main config file is missing
  if [ ! -f "$SALT_CONF/minion" ]; then
    printf '# salt-minion settings: salt-dsl keeps its own in minion.d/salt-dsl.conf\n' >"$new.main"
    install_file "$SALT_CONF/minion" "$new.main" || return 1
    rm -f "$new.main"
  fi
  install_file "$MINION_CONF" "$new" || return 1
  rm -f "$new"
  MINION_CONF_CHANGED=1
  CHANGED=1
  NOTE="wrote $MINION_CONF ($said)"
}

# Sets MANAGER, what starts the minion: BOOTSTRAP_INIT, else launchd on macOS, systemd when it runs the
# machine, else a daemon.
service_manager() {
  if [ -n "${BOOTSTRAP_INIT:-}" ]; then
    case "$BOOTSTRAP_INIT" in
      systemd | launchd | daemon) MANAGER="$BOOTSTRAP_INIT" ;;
      *) die "BOOTSTRAP_INIT is systemd, launchd or daemon, not '$BOOTSTRAP_INIT'" 2 ;;
    esac
  elif [ "$OS" = macos ]; then
    MANAGER=launchd
  elif [ -d /run/systemd/system ]; then
    # sd_booted(3)'s own test: systemd is PID 1
    MANAGER=systemd
  else
    MANAGER=daemon
  fi
}

start_minion() {
  service_manager
  if [ "$DRY_RUN" -eq 1 ]; then
    NOTE="would start salt-minion ($MANAGER) unless it runs with these settings"
    return 0
  fi
  [ -n "$SALT_VENV" ] || die "no pinned Salt to run salt-minion from (see the Salt step)"
  case "$MANAGER" in
    systemd) minion_systemd ;;
    launchd) minion_launchd ;;
    daemon) minion_daemon ;;
  esac
}

minion_systemd() {
  # a distribution's salt-minion would be a second minion of the same settings, under the same id
  if systemctl is-active --quiet salt-minion 2>/dev/null; then
    die "a salt-minion service (salt-minion.service) runs already: stop it (systemctl disable --now salt-minion) so that only salt-dsl's runs, then run again"
  fi
  unit="/etc/systemd/system/$UNIT.service"
  text="$LOG.unit"
  # KillMode=process, as Salt's own unit: a state that restarts the minion does not kill its own job
  cat >"$text" <<UNIT
[Unit]
Description=salt-minion of the salt-dsl fleet (bootstrap.sh --master $MASTER)
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=$SALT_VENV/bin/salt-minion -c $SALT_CONF
KillMode=process
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
  restart="$MINION_CONF_CHANGED"
  if ! cmp -s "$text" "$unit"; then
    install_file "$unit" "$text" || return 1
    root_do systemctl daemon-reload || return 1
    restart=1
  fi
  rm -f "$text"
  if ! systemctl is-enabled --quiet "$UNIT" 2>/dev/null; then
    root_do systemctl enable "$UNIT" || return 1
    CHANGED=1
  fi
  if ! systemctl is-active --quiet "$UNIT"; then
    root_do systemctl start "$UNIT" || return 1
    NOTE="started (systemd unit $UNIT)"
  elif [ "$restart" -eq 1 ]; then
    root_do systemctl restart "$UNIT" || return 1
    NOTE="restarted with the new settings (systemd unit $UNIT)"
  else
    NOTE="already running (systemd unit $UNIT)"
    return 0
  fi
  CHANGED=1
}

minion_launchd() {
  plist="/Library/LaunchDaemons/$PLIST_LABEL.plist"
  text="$LOG.plist"
  cat >"$text" <<PLIST
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>$PLIST_LABEL</string>
  <key>ProgramArguments</key>
  <array><string>$SALT_VENV/bin/salt-minion</string><string>-c</string><string>$SALT_CONF</string></array>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><true/>
</dict>
</plist>
PLIST
  loaded=0
  launchctl print "system/$PLIST_LABEL" >/dev/null 2>&1 && loaded=1
  if ! cmp -s "$text" "$plist"; then
    install_file "$plist" "$text" || return 1
    [ "$loaded" -eq 1 ] && { root_do launchctl bootout "system/$PLIST_LABEL" || return 1; }
    loaded=0
  fi
  rm -f "$text"
  if [ "$loaded" -eq 0 ]; then
    root_do launchctl bootstrap system "$plist" || return 1
    NOTE="started (launchd daemon $PLIST_LABEL)"
  elif [ "$MINION_CONF_CHANGED" -eq 1 ]; then
    root_do launchctl kickstart -k "system/$PLIST_LABEL" || return 1
    NOTE="restarted with the new settings (launchd daemon $PLIST_LABEL)"
  else
    NOTE="already running (launchd daemon $PLIST_LABEL)"
    return 0
  fi
  CHANGED=1
}

# The pid of the running minion of this config dir, from its pid file; empty when none runs.
minion_pid() {
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  # the pid file may be stale: the pid must still be this config's salt-minion
  case "$(ps -p "${pid:-0}" -o args= 2>/dev/null || true)" in
    *salt-minion*" -c $SALT_CONF "*) printf '%s' "$pid" ;;
  esac
}

# Salt's own pid file (its default, /var/run/salt-minion.pid, under root_dir)
PIDFILE="${SALT_ROOT%/}/var/run/salt-minion.pid"

# Waits (at most about a minute) until `minion_pid` is $1 ("": none runs).
await_minion() {
  tries=0
  while [ "$(minion_pid)" != "$1" ] && [ "$tries" -lt 60 ]; do
    sleep 1
    tries=$((tries + 1))
  done
  [ "$(minion_pid)" = "$1" ]
}

minion_daemon() {
  pid="$(minion_pid)"
  if [ -n "$pid" ] && [ "$MINION_CONF_CHANGED" -eq 0 ]; then
    NOTE="already running (pid $pid; pid file $PIDFILE)"
    return 0
  fi
  how=started
  if [ -n "$pid" ]; then
    root_do kill "$pid" || return 1
    await_minion "" || { root_do kill -9 "$pid"; await_minion "" || return 1; }
    how="restarted with the new settings"
  fi
  root_do "$SALT_VENV/bin/salt-minion" -c "$SALT_CONF" -d || return 1
  tries=0
  while [ -z "$(minion_pid)" ] && [ "$tries" -lt 60 ]; do
    sleep 1
    tries=$((tries + 1))
  done
  pid="$(minion_pid)"
  [ -n "$pid" ] || die "salt-minion did not start (its log: ${SALT_ROOT%/}/var/log/salt/minion)"
  NOTE="$how (pid $pid; pid file $PIDFILE)"
  CHANGED=1
}

# This minion's key fingerprint, as the pinned Salt computes it (`salt-call --local key.finger`): what
# `salt-key -f ID` shows on the master for the key it received. The minion writes its key pair when it first
# starts, so a just-started one may not have it yet: asked again (at most about a minute). Empty when unread.
minion_finger() {
  [ -n "$SALT_VENV" ] || return 0
  set -- "$SALT_VENV/bin/salt-call" --local --skip-grains -c "$SALT_CONF" --out=txt key.finger
  [ "$(id -u)" -eq 0 ] || set -- sudo "$@"
  tries=0
  while [ "$tries" -lt 30 ]; do
    # its one line: "local: FINGERPRINT"
    finger="$("$@" 2>>"$LOG" | sed -n 's/^local: *//p')"
    case "$finger" in
      ??:*) printf '%s' "$finger"; return 0 ;;
    esac
    sleep 2
    tries=$((tries + 1))
  done
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
if [ -n "$MASTER" ]; then
  step "minion config" minion_config
  step "salt-minion" start_minion
else
  step "this machine in the inventory" register_machine
  step "build" build_config
  step "plan and apply" plan_and_apply
fi

total=$(($(date +%s) - START_ALL))
if [ "$DRY_RUN" -eq 1 ]; then
  echo "bootstrap: dry run done in ${total}s; log: $LOG" | tee -a "$LOG"
elif [ "$CHANGED" -eq 0 ]; then
  echo "bootstrap: nothing to do: this machine was already set up (${total}s); log: $LOG" | tee -a "$LOG"
else
  echo "bootstrap: done in ${total}s; log: $LOG" | tee -a "$LOG"
fi
if [ -n "$MASTER" ] && [ -n "$MINION_ID" ]; then
  # the master accepts a key by its name: the fingerprint tells this machine's key from one sent under its name
  ACCEPT="dsl fleet accept $MINION_ID"
  if [ "$DRY_RUN" -eq 0 ]; then
    FINGER="$(minion_finger)"
    if [ -n "$FINGER" ]; then
      echo "bootstrap: this minion's key fingerprint: $FINGER" | tee -a "$LOG"
      ACCEPT="$ACCEPT --fingerprint $FINGER"
    else
      echo "bootstrap: could not read this minion's key fingerprint (salt-call --local key.finger; see the log): read it before accepting the key, and compare it with salt-key -f $MINION_ID on the master" | tee -a "$LOG"
    fi
  fi
  if [ "$MINION_KNOWN" -eq 1 ]; then
    echo "bootstrap: next, on the master: $ACCEPT (its key is pending there)" | tee -a "$LOG"
  else
    echo "bootstrap: '$MINION_ID' is not in the inventory: its key stays pending. On the master, add it to inventory({ machines: { '$MINION_ID': { platform: '$OS', environment, profile, via: 'master' } } }), build, then $ACCEPT" | tee -a "$LOG"
  fi
fi
