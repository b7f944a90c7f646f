// A throw-away SysV init script, for applying `service.running` for real on a host without systemd as PID 1
// (this container, CI): Salt's debian_service runs `service NAME start|stop|status`, which `env -i`s the
// script, so everything the script needs (its pid file) is written into it.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface SysvService {
  /** `salt-dsl-test-<hex>`, the name under /etc/init.d. */
  readonly name: string
  /** The process group of the running daemon (its session leader's pid), or undefined when stopped. */
  readonly pgid: () => number | undefined
  /** Runs the script's own `stop` (as an admin would, behind salt-dsl's back). */
  readonly stop: () => void
  /** Kills the daemon's process group, removes the script, its rc.d links and the pid file's dir. */
  readonly remove: () => void
}

/**
 * Installs `/etc/init.d/salt-dsl-test-<hex>` (as root): `start` daemonises a sleep loop in its own session
 * (so its process group is the daemon) and waits until it runs; `stop` kills its group and waits until the
 * leader is gone; `status` exits 0 while it runs and 3 (LSB: not running) otherwise.
 */
export function sysvService(): SysvService {
  const name = `salt-dsl-test-${randomBytes(3).toString('hex')}`
  const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-sysv-'))
  const pidfile = join(dir, `${name}.pid`)
  const script = `/etc/init.d/${name}`
  writeFileSync(script, initScript(name, pidfile))
  chmodSync(script, 0o755)
  const pgid = () => {
    if (!existsSync(pidfile)) return undefined
    const pid = Number(readFileSync(pidfile, 'utf8').trim())
    if (!Number.isInteger(pid) || pid <= 1) return undefined
    return alive(pid) ? pid : undefined
  }
  return {
    name,
    pgid,
    stop: () => execFileSync(script, ['stop'], { stdio: 'ignore' }),
    remove: () => {
      const group = pgid()
      if (group !== undefined) process.kill(-group, 'SIGKILL')
      rmSync(script, { force: true })
      for (const rc of readdirSync('/etc').filter((d) => /^rc[0-6S]\.d$/.test(d)))
        for (const link of readdirSync(join('/etc', rc)).filter((l) => l.replace(/^[SK]\d+/, '') === name))
          rmSync(join('/etc', rc, link), { force: true })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Whether `pid` is a live process (a zombie is not: this host's PID 1 reaps orphans late). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** The script: POSIX sh, LSB header and exit codes; its waits are bounded (10 s) conditions, not delays. */
function initScript(name: string, pidfile: string): string {
  return `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${name}
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: throw-away service of the salt-dsl tests
### END INIT INFO
PIDFILE='${pidfile}'
# the group's leader alive, a zombie not counted: this host's PID 1 reaps orphans late
alive() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]; }
running() { [ -s "$PIDFILE" ] && alive "$(cat "$PIDFILE")"; }
do_start() {
  running && return 0
  # not a group leader (no job control here), so setsid makes this very pid the session and group leader
  setsid sh -c 'while :; do sleep 1; done' </dev/null >/dev/null 2>&1 &
  echo $! >"$PIDFILE"
  i=0
  until running; do
    i=$((i + 1)); [ $i -gt 100 ] && return 1; sleep 0.1
  done
}
do_stop() {
  if running; then
    pg=$(cat "$PIDFILE")
    kill -TERM "-$pg"
    i=0
    while alive "$pg"; do
      i=$((i + 1)); [ $i -gt 100 ] && return 1; sleep 0.1
    done
  fi
  rm -f "$PIDFILE"
}
case "$1" in
start) do_start ;;
stop) do_stop ;;
restart | force-reload) do_stop && do_start ;;
status) running && exit 0; exit 3 ;;
*) echo "usage: $0 {start|stop|restart|force-reload|status}" >&2; exit 2 ;;
esac
`
}
