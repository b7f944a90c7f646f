import { DRIFT_CHECK_METADATA } from '../compiler/emit/emit-fleet.ts'
import { runProcess } from '../compiler/run-process.ts'
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
}

/**
 * One Python process on the master reads the job cache through Salt's runner: `jobs.list_jobs` for the jobs
 * carrying the drift check's metadata, then `jobs.lookup_jid` of each minion's newest one. (`salt-run` twice
 * per machine would start Python each time.)
 */
const READER = `
import json, sys
import salt.config, salt.runner
opts = salt.config.master_config(sys.argv[1] + '/master')
opts['quiet'] = True
runner = salt.runner.RunnerClient(opts)
jobs = runner.cmd('jobs.list_jobs', kwarg={'search_metadata': json.loads(sys.argv[2]), 'search_function': 'state.apply'}, print_event=False, full_return=False)
newest = {}
for jid, job in (jobs or {}).items():
    target = job.get('Target')
    if isinstance(target, str) and (target not in newest or jid > newest[target]):
        newest[target] = jid
out = {}
for target, jid in newest.items():
    ret = runner.cmd('jobs.lookup_jid', [jid], print_event=False, full_return=False) or {}
    # a state job's lookup names its outputter: {'outputter': 'highstate', 'data': {minion: return}}
    if 'outputter' in ret and 'data' in ret:
        ret = ret['data']
    out[target] = {'jid': jid, 'return': ret.get(target)}
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
    return { jid, time, result: 'failed', drifted: 0, failed: 1 }
  let drifted = 0
  let failed = 0
  for (const state of Object.values(ret as Record<string, unknown>)) {
    const s = state as { result?: unknown; changes?: unknown }
    if (s.result === false) failed++
    else if (
      s.result === null ||
      (typeof s.changes === 'object' && s.changes !== null && Object.keys(s.changes).length > 0)
    )
      drifted++
  }
  return { jid, time, result: failed > 0 ? 'failed' : drifted > 0 ? 'drift' : 'ok', drifted, failed }
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
