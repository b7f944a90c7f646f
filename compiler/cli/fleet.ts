import { existsSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { checkAlerts, type DriftCheck, readDriftChecks } from '../../fleet/drift-check.ts'
import { fleetApply } from '../../fleet/fleet-apply.ts'
import { type FleetFile, readFleet, selectMachines } from '../../fleet/fleet-inventory.ts'
import { readFleetStatus } from '../../fleet/fleet-status.ts'
import { acceptKey, dropKey, keyFinger, listKeys, notInInventory } from '../../fleet/keys.ts'
import { publishTree } from '../../fleet/publish.ts'
import { type MasterTools, runMasterTool, streamMasterTool } from '../../fleet/salt-tools.ts'
import { applyFlow } from '../../machine/apply-flow.ts'
import { confirm } from '../../machine/confirm.ts'
import { defaultStateDir } from '../../machine/generation-store.ts'
import { gitRevision } from '../../machine/git-revision.ts'
import { hostId } from '../../machine/run-salt.ts'
import type { Alert } from '../../report/alerts.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { MINION_CONFIG_USAGE, minionConfig } from './fleet-minion-config.ts'
import { keepCount, openStore, saltPython } from './operate-options.ts'
import { report } from './report.ts'

const say = (text: string) => process.stdout.write(`${text}\n`)

/** `--salt-config DIR`, else `DSL_SALT_CONFIG`, else the master's own `/etc/salt`. */
export function masterTools(flag: string | undefined, entry = '.'): MasterTools {
  return { python: saltPython(entry), configDir: resolve(flag ?? process.env.DSL_SALT_CONFIG ?? '/etc/salt') }
}

/** The fleet of the built tree at `out`, or a usage error saying how to get one. */
export function fleetOf(out: string): FleetFile {
  const fleet = readFleet(out)
  if (fleet === undefined)
    throw new CliError(
      `${out} has no fleet.json: give a machine via: 'master' (or 'ssh') in the inventory and run dsl build`,
    )
  return fleet
}

/**
 * Whether a run goes through the fleet, as far as the tree built last says (read before the next build):
 * such a run never uses a Salt loaded ahead for this host.
 */
export function goesThroughFleet(
  out: string,
  o: { readonly machine?: string | undefined; readonly all: boolean; readonly target?: string | undefined },
): boolean {
  if (o.target !== undefined) return true
  const fleet = readFleet(out)
  if (fleet === undefined) return false
  if (o.all) return true
  const via = fleet.machines.find((m) => m.id === o.machine)?.via
  // an id a fleet lacks is refused before any Salt run (applyThroughFleet): none is loaded for it
  if (via === undefined && o.machine !== undefined) return fleet.machines.some((m) => m.via !== 'local')
  return via !== undefined && via !== 'local'
}

/**
 * `dsl apply --all / --target T`, or `--machine ID` of a machine not reached locally: publishes the built
 * tree for the master and applies through Salt. Undefined when the selection is this machine's own apply.
 */
export async function applyThroughFleet(o: {
  readonly out: string
  readonly project: string
  readonly machine: string | undefined
  readonly all: boolean
  readonly target: string | undefined
  readonly saltConfig: string | undefined
  readonly entry: string
  readonly yes: boolean
  readonly json: boolean
  /** `dsl plan`: Salt's test=True on each machine, no question asked; exit 2 on changes if detailed. */
  readonly plan?: { readonly detailedExitcode: boolean }
}): Promise<number | undefined> {
  const usage = (message: string) => {
    process.stderr.write(`dsl ${o.plan ? 'plan' : 'apply'}: ${message}\n`)
    return 2
  }
  // on a tree with no fleet, `dsl plan --all` keeps its first meaning: list the unchanged states too
  if (o.plan && o.target === undefined && readFleet(o.out) === undefined) return undefined
  if (!o.all && o.target === undefined) {
    const known = readFleet(o.out)
    // on a fleet (a machine via the master or salt-ssh), an id the inventory lacks is a typo or a machine not
    // added yet: never this host in its name (a config of local machines serves onboarded ones by grains)
    const fleet = known?.machines.some((m) => m.via !== 'local') ? known : undefined
    if (fleet !== undefined && o.machine !== undefined && !fleet.machines.some((m) => m.id === o.machine))
      return usage(await notAMachine(fleet, o.machine, masterTools(o.saltConfig, o.entry)))
    const via = known?.machines.find((m) => m.id === o.machine)?.via
    if (via === undefined || via === 'local') return undefined
  }
  const fleet = fleetOf(o.out)
  const chosen = selectMachines(fleet, {
    ...(o.machine !== undefined ? { machine: o.machine } : {}),
    all: o.all,
    ...(o.target !== undefined ? { target: o.target } : {}),
  })
  if ('problem' in chosen) return usage(chosen.problem)
  if (!o.plan && !o.yes && !(await confirm(`Apply to ${chosen.machines.length} machine(s) of the fleet?`))) {
    say('nothing applied')
    return 1
  }
  const tools = masterTools(o.saltConfig, o.entry)
  // the master and salt-ssh read the published tree, each run its own generation from start to end; a plan
  // publishes its tree without serving it (a minion's own highstate keeps applying the applied tree);
  // machines applied here only read out/
  const remote = chosen.machines.some((m) => m.via !== 'local')
  const published = remote
    ? await publishTree(o.out, fleet.publishRoot, {
        serve: !o.plan,
        onWait: (why) => process.stderr.write(`publishing to ${fleet.publishRoot}: ${why}…\n`),
      })
    : undefined
  if (published && !o.json)
    say(
      published.switched
        ? `published generation ${published.generation} to ${fleet.publishRoot}`
        : published.served
          ? `the master already serves this tree (generation ${published.generation})`
          : `planning generation ${published.generation} of ${fleet.publishRoot}, not served: the master serves what it served`,
    )
  // a tree already served is already listed: the master's file list cache is cleared only on a switch
  if (published?.switched)
    await Promise.all([
      refreshFileServer(tools),
      // the scheduled drift check lives in the pillar: a running minion reads it again only when told
      fleet.driftCheckSeconds === undefined ? undefined : refreshPillars(tools, chosen.machines),
    ])
  return fleetApply({
    tools,
    machines: chosen.machines,
    tree: published?.dir ?? o.out,
    project: o.project,
    ...(published ? { generation: published.generation } : {}),
    stateDir: defaultStateDir(),
    json: o.json,
    report: (d) => report(d, undefined),
    here: { id: thisHost(), apply: () => applyHere(o, tools.python) },
    selection: o.all ? '--all' : o.target !== undefined ? `--target ${o.target}` : `--machine ${o.machine}`,
    ...(o.plan ? { test: true, detailedExitcode: o.plan.detailedExitcode } : {}),
  })
}

/**
 * Why `--machine ID` names no machine of the fleet: the machines it has, how to add one, and (with a master
 * at hand whose key list says so) that the id's key waits to be accepted once it is in the inventory.
 */
async function notAMachine(fleet: FleetFile, id: string, tools: MasterTools): Promise<string> {
  const ids = fleet.machines.map((m) => m.id).sort()
  let pending = false
  if (existsSync(resolve(tools.configDir, 'master'))) {
    const keys = await listKeys(tools)
    pending = !('problem' in keys) && keys.pending.includes(id)
  }
  return (
    `machine '${id}' is not in the inventory of this fleet (its machines: ${ids.join(', ')}); nothing was run.\n` +
    `  To add it: give it in inventory({ machines: { '${id}': { ..., via: 'master' } } }) (or via: 'ssh') and run dsl build` +
    (pending
      ? `,\n  then accept its key, pending on the master: dsl fleet accept ${id}`
      : `; a minion registers with the master, then: dsl fleet accept ${id}`)
  )
}

/** This host's minion id: Salt's own (`/etc/salt/minion_id`), else the host name. */
const thisHost = (): string => hostId().id ?? hostname()

/** This host's own apply of the built tree, as `dsl apply --machine ID` runs it. */
async function applyHere(
  o: { readonly out: string; readonly project: string },
  python: string,
): Promise<number> {
  const revision = await gitRevision(o.project)
  return applyFlow({
    store: openStore(),
    python,
    machine: thisHost(),
    source: { kind: 'built', out: o.out, project: o.project, ...(revision ? { revision } : {}) },
    yes: true,
    keep: keepCount(undefined),
    json: false,
    report: (d) => report(d, undefined),
  })
}

/** The master's file server lists the new tree at once (its file list is otherwise cached for a while). */
export async function refreshFileServer(tools: MasterTools): Promise<void> {
  await runMasterTool(tools, 'salt-run', ['fileserver.clear_file_list_cache'])
}

/** The minions reached via the master read their pillar again (`saltutil.refresh_pillar`): their schedule. */
async function refreshPillars(tools: MasterTools, machines: readonly { id: string; via: string }[]) {
  const ids = machines.filter((m) => m.via === 'master').map((m) => m.id)
  if (ids.length > 0)
    await runMasterTool(tools, 'salt', ['--timeout=5', '-L', ids.join(','), 'saltutil.refresh_pillar'])
}

/**
 * `dsl alerts --fleet`: the alerts of the minions' last scheduled drift checks, from the master's job cache;
 * none when the tree at `out` has no fleet or no scheduled check.
 */
export async function fleetCheckAlerts(out: string, saltConfig: string | undefined): Promise<Alert[]> {
  const fleet = readFleet(out)
  if (fleet?.driftCheckSeconds === undefined) return []
  const drift = await readDriftChecks(masterTools(saltConfig))
  if ('problem' in drift) throw new CliError(drift.problem)
  return checkAlerts(drift.checks)
}

const SUBCOMMANDS = ['status', 'pending', 'accept', 'reject', 'remove', 'minion-config'] as const

export const command: Command = {
  summary:
    "The fleet on Salt's own master: registration (keys, checked against the inventory), status, and a new minion's settings.",
  usage:
    'dsl fleet status|pending|accept ID|reject ID|remove ID [--out DIR] [--salt-config DIR] [--format json]\n' +
    "       dsl fleet accept ID [--fingerprint FP]   (FP: the machine's `salt-call --local key.finger`)\n" +
    `       ${MINION_CONFIG_USAGE}`,
  async run(argv) {
    // run on the new machine (by bootstrap.sh --master): it reads the config, not a built tree or a master
    if (argv[0] === 'minion-config') return minionConfig(argv.slice(1))
    const { values, positionals } = parse(argv, {
      out: { type: 'string', default: 'out' },
      'salt-config': { type: 'string' },
      format: { type: 'string' },
      fingerprint: { type: 'string' },
    })
    const [sub, id] = positionals
    if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub))
      throw new CliError(`say what: ${SUBCOMMANDS.join(', ')}`)
    if (values.fingerprint !== undefined && sub !== 'accept')
      throw new CliError('--fingerprint goes with dsl fleet accept ID')
    if (values.fingerprint?.trim() === '')
      throw new CliError("--fingerprint needs the machine's key fingerprint (salt-call --local key.finger)")
    const fleet = fleetOf(resolve(values.out))
    const tools = masterTools(values['salt-config'])
    if (sub === 'pending') return pending(tools, fleet, values.format === 'json')
    if (sub === 'status') return status(tools, fleet, values.format === 'json')
    if (id === undefined) throw new CliError(`dsl fleet ${sub} needs a minion id`)
    const done =
      sub === 'accept'
        ? await acceptKey(tools, fleet, id, values.fingerprint)
        : await dropKey(tools, id, sub === 'reject' ? 'reject' : 'remove')
    for (const l of done.lines) (done.code === 0 ? process.stdout : process.stderr).write(`${l}\n`)
    for (const l of done.notes ?? []) process.stderr.write(`${l}\n`)
    return done.code
  },
}

async function pending(tools: MasterTools, fleet: FleetFile, json: boolean): Promise<number> {
  const keys = await listKeys(tools)
  if ('problem' in keys) throw new CliError(keys.problem)
  // each pending key's fingerprint, to compare with the one the machine itself shows before accepting
  const fingers = await Promise.all(keys.pending.map((id) => keyFinger(tools, id, 'minions_pre')))
  const rows = keys.pending.map((id, i) => {
    const finger = fingers[i]
    return {
      id,
      inInventory: notInInventory(fleet, id) === undefined,
      ...(typeof finger === 'string' ? { fingerprint: finger } : {}),
    }
  })
  if (json) {
    say(JSON.stringify({ pending: rows }, null, 2))
    return 0
  }
  if (rows.length === 0) say('no pending keys')
  for (const r of rows) {
    say(
      r.inInventory
        ? `${r.id}  in the inventory: dsl fleet accept ${r.id} --fingerprint FP`
        : `${r.id}  not in the inventory: add it to inventory({ machines }) first, or dsl fleet reject ${r.id}`,
    )
    if (r.fingerprint !== undefined)
      say(
        `  key fingerprint ${r.fingerprint}: FP is the one ${r.id} itself shows (salt-call --local key.finger)`,
      )
  }
  return 0
}

async function status(tools: MasterTools, fleet: FleetFile, json: boolean): Promise<number> {
  const keys = await listKeys(tools)
  if ('problem' in keys) throw new CliError(keys.problem)
  const accepted = fleet.machines.filter((m) => m.via === 'master' && keys.accepted.includes(m.id))
  const hosts = fleet.machines.filter((m) => m.via === 'ssh')
  const answered = new Set<string>()
  const noted = (text: string) => {
    if (!text.startsWith('{')) return
    try {
      for (const [id, ok] of Object.entries(JSON.parse(text) as Record<string, unknown>))
        if (ok === true) answered.add(id)
    } catch {
      // not an answer
    }
  }
  const ping = (tool: string, ids: readonly string[], extra: readonly string[]) =>
    ids.length === 0
      ? Promise.resolve()
      : streamMasterTool(
          tools,
          tool,
          ['--out=json', '--out-indent=-1', ...extra, '-L', ids.join(','), 'test.ping'],
          noted,
        )
  // the minions through the master, the ssh hosts through salt-ssh, at the same time
  await Promise.all([
    ping(
      'salt',
      accepted.map((m) => m.id),
      ['--timeout=5'],
    ),
    ping(
      'salt-ssh',
      hosts.map((m) => m.id),
      [],
    ),
  ])
  const last = readFleetStatus(defaultStateDir()).machines
  // the scheduled checks' returns, from the master's job cache
  const drift = fleet.driftCheckSeconds === undefined ? undefined : await readDriftChecks(tools)
  if (drift !== undefined && 'problem' in drift) throw new CliError(drift.problem)
  const rows = fleet.machines.map((m) => {
    const key =
      m.via !== 'master'
        ? '-'
        : keys.accepted.includes(m.id)
          ? 'accepted'
          : keys.pending.includes(m.id)
            ? 'pending'
            : keys.rejected.includes(m.id)
              ? 'rejected'
              : 'none'
    const reachable = m.via === 'local' ? '-' : answered.has(m.id) ? 'yes' : 'no'
    const l = last[m.id]
    return {
      id: m.id,
      via: m.via,
      profile: m.profile,
      key,
      reachable,
      lastApply: l?.time ?? null,
      result: l?.result ?? null,
      ...(l?.jid ? { jid: l.jid } : {}),
      ...(drift === undefined || m.via !== 'master' ? {} : { driftCheck: drift.checks.get(m.id) ?? null }),
    }
  })
  if (json) {
    say(JSON.stringify({ machines: rows }, null, 2))
    return 0
  }
  const head = ['machine', 'via', 'profile', 'key', 'reachable', 'last apply', 'result']
  if (drift !== undefined) head.push('last check', 'drift')
  const cells = rows.map((r) => [
    r.id,
    r.via,
    r.profile,
    r.key,
    r.reachable,
    r.lastApply ?? 'never',
    r.result ?? '-',
    ...(drift === undefined ? [] : checkCells(r.driftCheck)),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  for (const c of [head, ...cells])
    say(
      c
        .map((v, i) => v.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
  return 0
}

/** A machine's last scheduled check: its time and what it found (`-` for a machine the scheduler does not run on). */
function checkCells(check: DriftCheck | null | undefined): [string, string] {
  if (check === undefined) return ['-', '-']
  if (check === null) return ['never', '-']
  const found =
    check.result === 'failed'
      ? `failed (${check.failed})`
      : check.result === 'drift'
        ? `yes (${check.drifted} would change)`
        : 'no'
  return [check.time, found]
}
