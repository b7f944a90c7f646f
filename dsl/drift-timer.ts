import { and, eq, not } from './expr.ts'
import { grains } from './lookups.ts'
import { callSite } from './origin.ts'
import { addIssue } from './session.ts'
import { shellQuote } from './shell.ts'
import { when } from './sls.ts'
import { declareState } from './state.ts'

export interface DriftTimerSpec {
  /** How often: minutes, hours or days, `'15m'`, `'1h'`, `'1d'`. */
  readonly every: string
  /**
   * The project `bootstrap.sh` installed (default `/root/machines`): the check runs
   * `<dir>/node_modules/.bin/dsl drift --record` there.
   */
  readonly dir?: string
  /** The command instead, as its arguments (the first an absolute path). */
  readonly command?: readonly string[]
}

/** The name of the units, the launchd job and the cron entry. */
export const DRIFT_JOB = 'salt-dsl-drift'
const LABEL = 'org.salt-dsl.drift'
const UNIT_DIR = '/etc/systemd/system'
const PLIST = `/Library/LaunchDaemons/${LABEL}.plist`
const SECONDS = { m: 60, h: 3600, d: 86400 } as const

/**
 * Runs `dsl drift --record` on a schedule, so the store's `drift.json` (what the status report reads) stays
 * fresh: a systemd timer and service where systemd runs (Salt's `init` grain), a launchd daemon on macOS,
 * a root cron entry elsewhere.
 * @example
 * sls('ops.drift', () => driftTimer({ every: '1h' }))
 * // /etc/systemd/system/salt-dsl-drift.timer:  [Timer] OnBootSec=5min, OnUnitActiveSec=1h
 * // /Library/LaunchDaemons/org.salt-dsl.drift.plist:  StartInterval 3600
 * // cron (elsewhere): 0 * * * * /root/machines/node_modules/.bin/dsl drift --record
 */
export function driftTimer(spec: DriftTimerSpec): void {
  const origin = callSite(driftTimer)
  const m = /^([1-9][0-9]*)(m|h|d)$/.exec(spec.every)
  if (m === null) {
    addIssue(
      'DSL1080',
      `driftTimer every '${spec.every}' is not a number of minutes, hours or days`,
      origin,
      "write it as '15m', '1h' or '1d'",
    )
    return
  }
  const n = Number(m[1])
  const unit = m[2] as keyof typeof SECONDS
  const dir = spec.dir ?? '/root/machines'
  const argv = spec.command ?? [`${dir}/node_modules/.bin/dsl`, 'drift', '--record']
  const state = (module: string, fun: string, id: string, args: Record<string, unknown>, options = {}) =>
    declareState({ module, fun, id, args, options, origin })

  when(eq(grains.init, 'systemd'), () => {
    const service = state('file', 'managed', `${UNIT_DIR}/${DRIFT_JOB}.service`, {
      contents: serviceUnit(argv, dir),
      mode: '0644',
    })
    const timer = state('file', 'managed', `${UNIT_DIR}/${DRIFT_JOB}.timer`, {
      contents: timerUnit(`${n}${unit === 'm' ? 'min' : unit}`, spec.every),
      mode: '0644',
    })
    // Salt's systemd module reloads systemd when a unit file changed
    state('service', 'running', `${DRIFT_JOB}.timer`, { enable: true }, { watch: [service, timer] })
  })
  when(eq(grains.kernel, 'Darwin'), () => {
    const plist = state('file', 'managed', PLIST, {
      contents: launchdPlist(argv, dir, n * SECONDS[unit]),
      mode: '0644',
    })
    state(
      'cmd',
      'run',
      `launchctl load -w ${PLIST}`,
      { unless: `launchctl list ${LABEL}` },
      { require: [plist] },
    )
  })
  when(and(not(eq(grains.init, 'systemd')), not(eq(grains.kernel, 'Darwin'))), () => {
    state('cron', 'present', DRIFT_JOB, {
      name: `cd ${shellQuote(dir)} && ${argv.map(shellQuote).join(' ')}`,
      identifier: DRIFT_JOB,
      user: 'root',
      ...cronTimes(n, unit),
    })
  })
}

export function serviceUnit(argv: readonly string[], dir: string): string {
  return [
    '[Unit]',
    'Description=salt-dsl drift check: the last applied generation against this machine',
    '',
    '[Service]',
    'Type=oneshot',
    `WorkingDirectory=${dir}`,
    `ExecStart=${argv.map(systemdQuote).join(' ')}`,
    '',
  ].join('\n')
}

export function timerUnit(span: string, every: string): string {
  return [
    '[Unit]',
    `Description=Run the salt-dsl drift check every ${every}`,
    '',
    '[Timer]',
    'OnBootSec=5min',
    `OnUnitActiveSec=${span}`,
    `Unit=${DRIFT_JOB}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n')
}

export function launchdPlist(argv: readonly string[], dir: string, seconds: number): string {
  const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key>`,
    `  <string>${LABEL}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...argv.map((a) => `    <string>${xml(a)}</string>`),
    '  </array>',
    '  <key>WorkingDirectory</key>',
    `  <string>${xml(dir)}</string>`,
    '  <key>StartInterval</key>',
    `  <integer>${seconds}</integer>`,
    '  <key>RunAtLoad</key>',
    '  <false/>',
    '</dict>',
    '</plist>',
    '',
  ].join('\n')
}

function cronTimes(n: number, unit: 'm' | 'h' | 'd'): Record<string, string> {
  const every = (k: number) => (k === 1 ? '*' : `*/${k}`)
  if (unit === 'm') return { minute: every(n) }
  if (unit === 'h') return { minute: '0', hour: every(n) }
  return { minute: '0', hour: '3', daymonth: every(n) }
}

/** systemd splits ExecStart= like a shell, with its own quoting: a word with a space is double-quoted. */
const systemdQuote = (s: string) =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`
