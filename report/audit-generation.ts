// The audit line of a recorded generation (called by the apply flow once the generation exists), and the
// lines of earlier generations that have none: an apply killed between recording its generation and
// auditing it leaves one without, and the next recorded generation writes it (marked `backfilled`).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GenerationMeta, GenerationStore } from '../machine/generation-store.ts'
import { readManifestOrigins } from '../machine/manifest-origins.ts'
import { hostId } from '../machine/run-salt.ts'
import { type SaltStateReturn, type StateOutcome, stateOutcomes } from '../machine/state-outcomes.ts'
import type { SecretAudit } from '../secrets/secret-pillar.ts'
import { type AuditEntry, type AuditEvent, appendAuditEvents } from './audit-log.ts'

export async function auditGeneration(
  store: GenerationStore,
  g: GenerationMeta,
  outcomes: readonly StateOutcome[],
): Promise<void> {
  try {
    await appendAuditEvents(store.dir, (entries) => [
      ...backfill(store, entries, g.number),
      eventOf(store, g, outcomes),
    ])
  } catch (e) {
    // the apply happened and is recorded: a log that cannot be written is said, not turned into a failure
    process.stderr.write(`warning: audit log not written: ${e instanceof Error ? e.message : String(e)}\n`)
  }
}

/** The events of the generations before `below` that have no line yet, marked `backfilled`. */
export function backfill(
  store: GenerationStore,
  entries: readonly AuditEntry[],
  below = Infinity,
): AuditEvent[] {
  return unaudited(store, entries, below).map((m) => ({
    ...eventOf(store, m, storedOutcomes(store, m)),
    backfilled: true,
  }))
}

/** The generations before `below` that no line of the log names (oldest first). */
export function unaudited(
  store: GenerationStore,
  entries: readonly AuditEntry[],
  below = Infinity,
): GenerationMeta[] {
  const audited = new Set(entries.filter((e) => e.action !== 'note').map((e) => e.generation))
  return store.list().filter((m) => m.number < below && !audited.has(m.number))
}

/** A generation's audit event. */
export function eventOf(
  store: GenerationStore,
  g: GenerationMeta,
  outcomes: readonly StateOutcome[],
): AuditEvent {
  const tree = store.generation(g.number)?.tree
  const rows = tree ? readManifestOrigins(tree, g.project).states : new Map()
  // names only: a state the manifest marks secret, or whose diff Salt hid (show_changes: false)
  const secret = (o: StateOutcome) => o.diffHidden || rows.get(o.id)?.secret === true
  const names = tree ? secretNames(tree, g.machine ?? hostId().id) : []
  return {
    action: g.kind,
    generation: g.number,
    ...(g.of !== undefined ? { of: g.of } : {}),
    ...(g.machine !== undefined ? { machine: g.machine } : {}),
    ...(g.revision ? { revision: { commit: g.revision.commit, dirty: g.revision.dirty } } : {}),
    summary: g.summary,
    changed: outcomes.filter((o) => o.change !== 'no-op').map((o) => o.id),
    secrets: outcomes.filter(secret).map((o) => o.id),
    ...(names.length > 0 ? { secretNames: names } : {}),
  }
}

/** The names of the secrets (secrets/, `secret()`) the tree's pillar gives machine `id`: never a value. */
function secretNames(tree: string, id: string | undefined): string[] {
  const file = join(tree, 'secrets.json')
  if (id === undefined || !existsSync(file)) return []
  try {
    const audit = JSON.parse(readFileSync(file, 'utf8')) as SecretAudit
    return [...(audit.machines[id]?.secrets ?? [])].sort()
  } catch {
    return []
  }
}

/** The outcomes of a stored generation, from its Salt result (none when Salt could not run its tree). */
function storedOutcomes(store: GenerationStore, g: GenerationMeta): StateOutcome[] {
  const stored = store.generation(g.number)
  if (stored === undefined) return []
  try {
    const result = JSON.parse(readFileSync(stored.result, 'utf8')) as unknown
    if (result === null || typeof result !== 'object' || Array.isArray(result)) return []
    return stateOutcomes(
      result as Record<string, SaltStateReturn>,
      readManifestOrigins(stored.tree, g.project),
    )
  } catch {
    return []
  }
}
