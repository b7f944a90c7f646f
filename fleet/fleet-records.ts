// Each machine a fleet run applied through the master (or salt-ssh) gets a generation store of its own on
// the master, `<stateDir>/machines/<id>/`, recorded as a local apply records one: the tree it was served
// (with its manifest), Salt's per-state result, the time, the summary and the config's git revision. So the
// dashboard, `dsl compliance` and `dsl generations --machine ID` read a minion as they read this host.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { currentUser, DEFAULT_KEEP, GenerationStore } from '../machine/generation-store.ts'
import { gitRevision } from '../machine/git-revision.ts'
import type { ManifestOrigins } from '../machine/manifest-origins.ts'
import { redactResult, type SaltStateReturn, summarize } from '../machine/state-outcomes.ts'
import type { MachineRun } from './fleet-apply.ts'

/** The fleet's per-machine stores, under the master's state dir. */
const MACHINES = 'machines'

/** The directory of machine `id`'s store (its id made one safe path segment). */
export function fleetMachineStore(stateDir: string, id: string): string {
  const name = id.replace(/[^A-Za-z0-9_.-]|^\./g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return join(stateDir, MACHINES, name)
}

/** Every per-machine store the fleet runs recorded under `stateDir`. */
export function fleetMachineStores(stateDir: string): string[] {
  const dir = join(stateDir, MACHINES)
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => join(dir, e.name))
    .sort()
}

/** What one fleet run shares across its machines' records. */
export interface FleetRunRecord {
  readonly stateDir: string
  /** The tree the master served (the published generation's dir). */
  readonly tree: string
  readonly project: string
  /** The manifest of `tree`, as the run read it. */
  readonly manifest: ManifestOrigins
  /** The published generation and the Salt job, kept beside the generation (`fleet.json`). */
  readonly generation?: number
  readonly jid?: string
}

/** The results that come from Salt running the tree on the machine: what its generation records. */
const APPLIED: ReadonlySet<MachineRun['result']> = new Set(['ok', 'failed', 'error'])

/**
 * Records each machine's return as the next generation of its store, one machine after the other, each
 * under its store's lock. A store write is staged and renamed into place (GenerationStore.record): a kill
 * leaves each store with complete generations only. A store that cannot be written is said on stderr and
 * the others are still recorded. Returns the machines recorded, with their generation numbers.
 */
export async function recordFleetGenerations(
  r: FleetRunRecord,
  runs: readonly MachineRun[],
): Promise<{ id: string; generation: number }[]> {
  const todo = runs.filter((x) => APPLIED.has(x.result) && x.saltReturn !== undefined)
  if (todo.length === 0) return []
  const revision = await gitRevision(r.project)
  const keep = keepCount()
  const user = currentUser()
  const done: { id: string; generation: number }[] = []
  for (const run of todo) {
    const store = new GenerationStore(fleetMachineStore(r.stateDir, run.id))
    try {
      const lock = await store.lock((why) => process.stderr.write(`${run.id}'s record: ${why}…\n`))
      const space = store.newRun()
      try {
        const tree = store.importTree(r.tree, space)
        const g = store.record(
          space,
          {
            time: new Date().toISOString(),
            kind: 'apply',
            machine: run.id,
            ...(revision ? { revision } : {}),
            project: r.project,
            user,
            tree,
            summary: run.summary ?? summarize([]),
            durationMs: run.durationMs ?? 0,
            // what salt-call --retcode-passthrough says of the same outcome: 2 a state failed, 1 no result
            saltCode: run.result === 'ok' ? 0 : run.result === 'failed' ? 2 : 1,
          },
          keptResult(run, r.manifest),
          {
            fleet: {
              via: run.via,
              ...(r.generation !== undefined ? { published: r.generation } : {}),
              ...(r.jid !== undefined ? { jid: r.jid } : {}),
            },
          },
        )
        done.push({ id: run.id, generation: g.number })
        store.prune(keep)
      } finally {
        space.remove()
        lock.release()
      }
    } catch (e) {
      process.stderr.write(
        `could not record ${run.id}'s generation in ${store.dir}: ${(e as Error).message}\n`,
      )
    }
  }
  return done
}

/** Salt's per-state result as a store keeps it (a secret's diff hidden), or the errors it gave instead. */
function keptResult(run: MachineRun, manifest: ManifestOrigins): unknown {
  const ret = run.saltReturn
  if (run.result !== 'error' && ret !== null && typeof ret === 'object' && !Array.isArray(ret))
    return redactResult(ret as Record<string, SaltStateReturn>, manifest)
  if (Array.isArray(ret)) return ret.map(String)
  return [run.note ?? String(ret)]
}

/** `DSL_KEEP_GENERATIONS`, as `dsl apply` reads it for this host's store. */
function keepCount(): number {
  const n = Number(process.env.DSL_KEEP_GENERATIONS)
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_KEEP
}
