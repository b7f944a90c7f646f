import { createHash } from 'node:crypto'
import { DRIFT_CHECK_METADATA } from '../compiler/emit/emit-fleet.ts'
import { runProcess } from '../compiler/run-process.ts'
import type { Alert } from '../report/alerts.ts'
import type { MasterTools } from './salt-tools.ts'

/** A machine's last scheduled drift check, as the master's job cache holds it. */
export interface DriftCheck {
  readonly jid: string
  /** When the check started (from its job id), ISO 8601. */
  readonly time: string
  /** `drift`: states would change; `failed`: a state failed or the tree did not render; `ok`: in sync. */
  readonly result: 'ok' | 'drift' | 'failed'
  /** States that would change. */
  readonly drifted: number
  /** States that failed (or 1 for a render error). */
  readonly failed: number
  /** The state IDs that would change (drift) or failed, sorted. */
  readonly states: readonly string[]
}

/**
 * One Python process on the master reads the job cache through Salt's runner: `jobs.list_jobs` for the jobs
 * carrying the drift check's metadata, then `jobs.lookup_jid` of each minion's newest one that ran (one that
 * was only queued behind another state run returns no result). (`salt-run` twice per machine would start
 * Python each time.)
 */
const READER = `
import json, sys
import salt.config, salt.runner
opts = salt.config.master_config(sys.argv[1] + '/master')
opts['quiet'] = True
runner = salt.runner.RunnerClient(opts)
jobs = runner.cmd('jobs.list_jobs', kwarg={'search_metadata': json.loads(sys.argv[2]), 'search_function': 'state.apply'}, print_event=False, full_return=False)
by_target = {}
for jid, job in (jobs or {}).items():
    target = job.get('Target')
    if isinstance(target, str):
        by_target.setdefault(target, []).append(jid)
out = {}
for target, jids in by_target.items():
    for jid in sorted(jids, reverse=True):
        ret = runner.cmd('jobs.lookup_jid', [jid], print_event=False, full_return=False) or {}
        # a state job's lookup names its outputter: {'outputter': 'highstate', 'data': {minion: return}}
        if 'outputter' in ret and 'data' in ret:
            ret = ret['data']
        mine = ret.get(target)
        # a check that fired while a state run was going on was queued behind it: no result (the newest
        # check with one is the last word)
        if isinstance(mine, dict) and mine.get('queued') is True and '__no_return__' in mine:
            continue
        out[target] = {'jid': jid, 'return': mine}
        break
print(json.dumps(out))
`

/** Each minion's last drift check, or a problem when the job cache could not be read. */
export async function readDriftChecks(
  tools: MasterTools,
): Promise<{ checks: ReadonlyMap<string, DriftCheck> } | { problem: string }> {
  const run = await runProcess(tools.python, [
    '-c',
    READER,
    tools.configDir,
    JSON.stringify(DRIFT_CHECK_METADATA),
  ])
  let data: Record<string, { jid: string; return: unknown }>
  try {
    data = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '')
  } catch {
    return { problem: `the master's job cache could not be read: ${run.stderr.trim() || run.stdout.trim()}` }
  }
  const checks = new Map<string, DriftCheck>()
  for (const [id, job] of Object.entries(data)) checks.set(id, judge(job.jid, job.return))
  return { checks }
}

/** A `state.apply test=True` return → drift or not: a state whose result is None would change. */
export function judge(jid: string, ret: unknown): DriftCheck {
  const time = jidTime(jid)
  // a list or a string is Salt's render or compile error: no state ran
  if (ret === null || typeof ret !== 'object' || Array.isArray(ret))
    return { jid, time, result: 'failed', drifted: 0, failed: 1, states: [] }
  const drifted: string[] = []
  const failed: string[] = []
  for (const [key, state] of Object.entries(ret as Record<string, unknown>)) {
    const s = state as { result?: unknown; changes?: unknown; __id__?: unknown }
    const id = typeof s.__id__ === 'string' ? s.__id__ : key
    if (s.result === false) failed.push(id)
    else if (
      s.result === null ||
      (typeof s.changes === 'object' && s.changes !== null && Object.keys(s.changes).length > 0)
    )
      drifted.push(id)
  }
  const result = failed.length > 0 ? 'failed' : drifted.length > 0 ? 'drift' : 'ok'
  const states = (result === 'failed' ? failed : drifted).sort()
  return { jid, time, result, drifted: drifted.length, failed: failed.length, states }
}

const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 12)

/**
 * The alerts of the minions' last scheduled checks, of the kinds a machine's own status raises (`drift`,
 * `failed-apply`): keyed by machine and states, so the same drift is sent once, as `dsl alerts` does.
 */
export function checkAlerts(checks: ReadonlyMap<string, DriftCheck>): Alert[] {
  const out: Alert[] = []
  for (const [id, c] of [...checks].sort(([a], [b]) => a.localeCompare(b))) {
    if (c.result === 'drift')
      out.push({
        key: `drift:${id}:${digest(c.states)}`,
        kind: 'drift',
        machine: id,
        message: `${id} drifted (scheduled check, Salt job ${c.jid}): ${c.states.join(', ')}`,
        detail: { jid: c.jid, time: c.time, states: c.states },
      })
    if (c.result === 'failed')
      out.push({
        key: `failed-apply:${id}:check:${digest(c.states)}`,
        kind: 'failed-apply',
        machine: id,
        message: `${id}: the scheduled check (Salt job ${c.jid}) failed${c.states.length > 0 ? `: ${c.states.join(', ')}` : ': the tree did not render'}`,
        detail: { jid: c.jid, time: c.time, states: c.states },
      })
  }
  return out
}

/** Salt's job id is the master's local time `YYYYMMDDhhmmssffffff`. */
function jidTime(jid: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})/.exec(jid)
  if (m === null) return jid
  return new Date(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    Number(m[7]),
  ).toISOString()
}
