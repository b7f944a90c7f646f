// Alerts: conditions read from a machine's status (a failed apply, drift, a failed compliance check,
// available updates, security updates among them), each sent once when it appears (the conditions of the last run are kept in the
// store's alerts.json), by a command, a webhook (JSON POST) or a desktop notification.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { GenerationStore } from '../machine/generation-store.ts'
import type { MachineStatus } from './machine-status.ts'
import { securityUpdates } from './security-updates.ts'

export type AlertKind = 'failed-apply' | 'drift' | 'compliance' | 'updates' | 'security-updates'
export const ALERT_KINDS: readonly AlertKind[] = [
  'failed-apply',
  'drift',
  'compliance',
  'updates',
  'security-updates',
]

/** One rule of an alerts config (`export default { rules: [...] } satisfies AlertConfig`). */
export interface AlertRule {
  readonly on: readonly AlertKind[]
  /** Run with the alert as JSON on stdin (and DSL_ALERT_KIND, DSL_ALERT_MACHINE, DSL_ALERT_MESSAGE). */
  readonly command?: readonly string[]
  /** POSTed the alert as JSON. */
  readonly webhook?: string
  /** notify-send (Linux) or osascript (macOS). */
  readonly notify?: boolean
}
export interface AlertConfig {
  readonly rules: readonly AlertRule[]
}

export interface Alert {
  /** Names the condition: the same condition on the next run has the same key and is not sent again. */
  readonly key: string
  readonly kind: AlertKind
  readonly machine: string
  readonly message: string
  readonly detail: unknown
}

const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 12)

/** The conditions a machine is in now. */
export function conditions(m: MachineStatus): Alert[] {
  const out: Alert[] = []
  const last = m.last
  if (last && last.summary.failed + last.summary.blocked > 0) {
    const failed = m.states
      .filter((s) => s.status !== 'ok')
      .map((s) => ({ id: s.id, status: s.status, at: s.at?.text }))
    out.push({
      key: `failed-apply:${m.id}:${last.number}`,
      kind: 'failed-apply',
      machine: m.id,
      message: `generation ${last.number} on ${m.id}: ${last.summary.failed} failed, ${last.summary.blocked} blocked`,
      detail: { generation: last.number, states: failed },
    })
  }
  if (m.drift?.drift) {
    const states = m.drift.states
      .filter((s) => s.change !== 'no-op')
      .map((s) => s.id)
      .sort()
    out.push({
      key: `drift:${m.id}:${digest(states)}`,
      kind: 'drift',
      machine: m.id,
      message: `${m.id} drifted from generation ${m.drift.generation}: ${states.join(', ')}`,
      detail: { generation: m.drift.generation, states: m.drift.states },
    })
  }
  for (const c of m.reports.compliance?.checks ?? [])
    if (!c.passed)
      out.push({
        key: `compliance:${m.id}:${c.id}`,
        kind: 'compliance',
        machine: m.id,
        message: `${m.id} fails compliance check ${c.id}`,
        detail: c,
      })
  for (const c of m.baseline)
    if (c.applies !== false && !c.passed)
      out.push({
        key: `compliance:${m.id}:baseline:${c.id}`,
        kind: 'compliance',
        machine: m.id,
        message: `${m.id} fails baseline rule ${c.id} [${c.severity}]: ${String(c.detail)}${c.at ? ` (${c.at.text})` : ''}`,
        detail: c,
      })
  const updates = m.reports.status?.available_updates ?? {}
  // apt only: the upgrades whose candidate comes from a -security archive (none known elsewhere)
  const security = securityUpdates(m.reports.status?.apt_upgrade ?? [])
  const securityNames = Object.keys(security).sort()
  if (Object.keys(updates).length > 0)
    out.push({
      key: `updates:${m.id}:${digest(updates)}`,
      kind: 'updates',
      machine: m.id,
      message: `${m.id}: ${Object.keys(updates).length} package update(s) available, ${securityNames.length} of them security`,
      detail: { updates, security },
    })
  if (securityNames.length > 0)
    out.push({
      key: `security-updates:${m.id}:${digest(security)}`,
      kind: 'security-updates',
      machine: m.id,
      message: `${m.id}: ${securityNames.length} security update(s) available: ${securityNames.slice(0, 10).join(', ')}${securityNames.length > 10 ? ', …' : ''}`,
      detail: security,
    })
  return out
}

interface AlertState {
  readonly time: string
  readonly active: readonly string[]
}

export interface Sent {
  readonly alert: Alert
  readonly via: string
  readonly ok: boolean
  readonly error?: string
}

/**
 * Sends the alerts that are new since the last run (their condition was not active then) through every
 * rule that asks for their kind, and keeps the active ones in the store. A send that fails is reported
 * and tried again next run (its condition is not kept as active).
 */
export async function sendAlerts(
  storeDir: string,
  alerts: readonly Alert[],
  config: AlertConfig,
  dryRun: boolean,
): Promise<{ fresh: Alert[]; sent: Sent[] }> {
  const store = new GenerationStore(storeDir)
  const before = new Set(store.readRecord<AlertState>('alerts')?.active ?? [])
  const fresh = alerts.filter((a) => !before.has(a.key))
  const sent: Sent[] = []
  const failedKeys = new Set<string>()
  if (!dryRun)
    for (const a of fresh)
      for (const rule of config.rules.filter((r) => r.on.includes(a.kind)))
        for (const s of await deliver(a, rule)) {
          sent.push(s)
          if (!s.ok) failedKeys.add(a.key)
        }
  if (!dryRun)
    store.writeRecord('alerts', {
      time: new Date().toISOString(),
      active: alerts.map((a) => a.key).filter((k) => !failedKeys.has(k)),
    } satisfies AlertState)
  return { fresh, sent }
}

async function deliver(a: Alert, rule: AlertRule): Promise<Sent[]> {
  const out: Sent[] = []
  const payload = JSON.stringify({ ...a, time: new Date().toISOString() })
  if (rule.command && rule.command.length > 0) {
    const [cmd, ...args] = rule.command
    const run = spawnSync(cmd!, args, {
      input: payload,
      encoding: 'utf8',
      env: {
        ...process.env,
        DSL_ALERT_KIND: a.kind,
        DSL_ALERT_MACHINE: a.machine,
        DSL_ALERT_MESSAGE: a.message,
      },
    })
    const ok = run.status === 0
    out.push({
      alert: a,
      via: `command ${cmd}`,
      ok,
      ...(ok ? {} : { error: run.error?.message ?? `exit ${run.status}: ${run.stderr.trim().slice(-200)}` }),
    })
  }
  if (rule.webhook) {
    try {
      const res = await fetch(rule.webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      })
      out.push({
        alert: a,
        via: `webhook ${rule.webhook}`,
        ok: res.ok,
        ...(res.ok ? {} : { error: `HTTP ${res.status}` }),
      })
    } catch (e) {
      out.push({
        alert: a,
        via: `webhook ${rule.webhook}`,
        ok: false,
        error: e instanceof Error ? e.message : String(e),
      })
    }
  }
  if (rule.notify) {
    const [cmd, args] =
      process.platform === 'darwin'
        ? ['osascript', ['-e', `display notification ${JSON.stringify(a.message)} with title "salt-dsl"`]]
        : ['notify-send', ['salt-dsl', a.message]]
    const run = spawnSync(cmd, args as string[], { encoding: 'utf8' })
    out.push({
      alert: a,
      via: cmd,
      ok: run.status === 0,
      ...(run.status === 0 ? {} : { error: run.error?.message ?? `exit ${run.status}` }),
    })
  }
  return out
}
