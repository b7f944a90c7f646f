import { parseTarget, selectTargets } from '../../dsl/fleet-target.ts'
import type { InventoryNode, MachineNode } from '../../dsl/ir.ts'
import { emitYaml, type YamlNode } from './yaml.ts'

/** What an operator of the ACL may run on the machines of their targets (find_job: the CLI's own polling). */
export const OPERATOR_FUNCTIONS = [
  'state.apply',
  'state.highstate',
  'state.sls',
  'state.show_highstate',
  'test.ping',
  'saltutil.find_job',
] as const

/** The fleet's machine list as `dsl apply --all`, `dsl fleet` and `dsl publish` read it from a built tree. */
export interface FleetFile {
  readonly publishRoot: string
  readonly machines: readonly {
    readonly id: string
    readonly via: 'local' | 'master' | 'ssh'
    readonly profile: string
    readonly environment: string
    readonly platform: string
  }[]
  readonly operators: { readonly [user: string]: readonly string[] }
  /** Seconds between two scheduled drift checks of each minion (absent: no schedule). */
  readonly driftCheckSeconds?: number
}

/** The pillar env the fleet's own pillar (the scheduled drift check) is served from, beside `base`. */
export const FLEET_PILLAR_ENV = 'salt_dsl_fleet'
/** The scheduled job's name on each minion, and the metadata its returns carry in the master's job cache. */
export const DRIFT_CHECK_JOB = 'salt_dsl_drift_check'
export const DRIFT_CHECK_METADATA = { salt_dsl: 'drift-check' } as const

const list = (ids: readonly string[]) => `L@${ids.join(',')}`

/**
 * The fleet's files, from the inventory: `master.d/salt-dsl.conf` (the master serves the published tree,
 * fires state events, keeps jobs, accepts no key by itself, lets each operator reach their machines only),
 * `roster` for salt-ssh, and `fleet.json`. Nothing when no machine is reached otherwise than locally and the
 * config names no fleet: a masterless config's tree stays as it was.
 */
export function emitFleet(inv: InventoryNode | undefined): Map<string, string> {
  const files = new Map<string, string>()
  if (inv === undefined) return files
  const remote = inv.machines.filter((m) => m.via === 'master' || m.via === 'ssh')
  if (remote.length === 0 && inv.fleet === undefined) return files
  const publishRoot = inv.fleet?.publishRoot ?? '/srv/salt-dsl'
  const operators = inv.fleet?.operators ?? {}
  const minions = inv.machines.filter((m) => m.via === 'master')
  const ssh = inv.machines.filter((m) => m.via === 'ssh')
  const drift = inv.fleet?.driftCheck?.seconds
  const schedule = drift !== undefined && minions.length > 0
  files.set('master.d/salt-dsl.conf', masterConf(minions, ssh.length > 0, publishRoot, operators, schedule))
  if (ssh.length > 0) files.set('roster', roster(ssh))
  if (schedule) for (const [path, text] of driftCheckPillar(minions, drift)) files.set(path, text)
  const fleet: FleetFile = {
    publishRoot,
    machines: inv.machines.map((m) => ({
      id: m.id,
      via: m.via ?? 'local',
      profile: m.profile,
      environment: m.environment,
      platform: m.platform,
    })),
    operators,
    ...(schedule ? { driftCheckSeconds: drift } : {}),
  }
  files.set('fleet.json', `${JSON.stringify(fleet, null, 2)}\n`)
  return files
}

function masterConf(
  minions: readonly MachineNode[],
  roster: boolean,
  publishRoot: string,
  operators: Readonly<Record<string, readonly string[]>>,
  schedule: boolean,
): string {
  const doc: Record<string, YamlNode> = {
    // `dsl publish` switches `current` to a new generation in one rename: what a minion's own highstate reads.
    // Every published generation is also an env of its own (Salt puts the env's name for __env__): a fleet
    // run names its generation (saltenv, pillarenv) and reads that immutable tree from start to end, whatever
    // is published meanwhile; a plan reads the generation it wrote without serving it as `current`.
    file_roots: {
      base: [`${publishRoot}/current/salt`],
      __env__: [`${publishRoot}/generations/__env__/salt`],
    },
    // the fleet's own pillar is an env of its own: Salt merges every env's top, the config's top stays as built
    pillar_roots: {
      base: [`${publishRoot}/current/pillar`],
      ...(schedule ? { [FLEET_PILLAR_ENV]: [`${publishRoot}/current/fleet-pillar`] } : {}),
      __env__: [`${publishRoot}/generations/__env__/pillar`],
    },
    // a key is accepted by `dsl fleet accept`, which checks the inventory first
    auto_accept: false,
    state_events: true,
    master_job_cache: 'local_cache',
    keep_jobs_seconds: 7 * 24 * 3600,
    // salt-ssh reads the published roster: the same generation as the states it applies
    ...(roster ? { roster_file: `${publishRoot}/current/roster` } : {}),
  }
  const groups: Record<string, YamlNode> = {}
  if (minions.length > 0) groups.fleet = list(minions.map((m) => m.id))
  for (const profile of [...new Set(minions.map((m) => m.profile))].sort())
    groups[`profile_${profile}`] = list(minions.filter((m) => m.profile === profile).map((m) => m.id))
  if (Object.keys(groups).length > 0) doc.nodegroups = groups
  const acl: Record<string, YamlNode> = {}
  for (const user of Object.keys(operators).sort()) {
    const ids = new Set<string>()
    for (const t of operators[user] ?? []) {
      const parsed = parseTarget(t)
      // the ACL governs the master's jobs: its minions only (salt-ssh is governed by who holds the ssh key)
      if ('terms' in parsed) for (const m of selectTargets(minions, parsed.terms)) ids.add(m.id)
    }
    // an operator whose targets select no machine gets no entry: Salt then refuses them everything
    if (ids.size > 0) acl[user] = [{ [list([...ids].sort())]: [...OPERATOR_FUNCTIONS] }]
  }
  if (Object.keys(operators).length > 0) {
    doc.publisher_acl = acl
    // an operator who runs salt (or dsl) through sudo is held to their ACL too, not treated as root
    doc.sudo_acl = true
  }
  const body = emitYaml(doc, { jinja: false })
  return `# salt-master settings for this fleet, from the inventory: put in the master's master.d/.\n${body}`
}

/**
 * Salt's scheduler entry for the minions, as pillar: `state.apply test=True` every N seconds, returned to the
 * master (the job cache keeps it, tagged with the metadata `dsl fleet status` searches for). A change in the
 * pillar reaches a running minion at its next pillar refresh (`dsl apply` through the master does one).
 */
function driftCheckPillar(minions: readonly MachineNode[], seconds: number): Map<string, string> {
  const top = {
    [FLEET_PILLAR_ENV]: { [minions.map((m) => m.id).join(',')]: [{ match: 'list' }, 'drift_check'] },
  }
  const sls = {
    schedule: {
      [DRIFT_CHECK_JOB]: {
        function: 'state.apply',
        // queue: a check due while `dsl apply` runs waits for it, then checks the applied machine
        kwargs: { test: true, queue: true },
        seconds,
        // a check still running when the next is due is not started twice
        maxrunning: 1,
        return_job: true,
        metadata: { ...DRIFT_CHECK_METADATA },
      },
    },
  }
  const note = "# Generated by salt-dsl from the inventory's fleet.driftCheck."
  return new Map([
    ['fleet-pillar/top.sls', `#!yaml\n${note}\n${emitYaml(top, { jinja: false })}`],
    ['fleet-pillar/drift_check.sls', `#!yaml\n${note}\n${emitYaml(sls, { jinja: false })}`],
  ])
}

function roster(machines: readonly MachineNode[]): string {
  const doc: Record<string, YamlNode> = {}
  for (const m of machines) {
    const s = m.ssh
    if (s === undefined) continue
    doc[m.id] = {
      host: s.host,
      ...(s.port === undefined ? {} : { port: s.port }),
      user: s.user ?? 'root',
      ...(s.sudo === undefined ? {} : { sudo: s.sudo }),
      ...(s.priv === undefined ? {} : { priv: s.priv }),
    }
  }
  return `# salt-ssh roster of this fleet, from the inventory.\n${emitYaml(doc, { jinja: false })}`
}
