// The audit line of a recorded generation (called by the apply flow once the generation exists).
import type { GenerationMeta, GenerationStore } from '../machine/generation-store.ts'
import { readManifestOrigins } from '../machine/manifest-origins.ts'
import type { StateOutcome } from '../machine/state-outcomes.ts'
import { appendAudit } from './audit-log.ts'

export async function auditGeneration(
  store: GenerationStore,
  g: GenerationMeta,
  outcomes: readonly StateOutcome[],
): Promise<void> {
  try {
    const tree = store.generation(g.number)?.tree
    const rows = tree ? readManifestOrigins(tree, g.project).states : new Map()
    // names only: a state the manifest marks secret, or whose diff Salt hid (show_changes: false)
    const secret = (o: StateOutcome) => o.diffHidden || rows.get(o.id)?.secret === true
    await appendAudit(store.dir, {
      action: g.kind,
      generation: g.number,
      ...(g.of !== undefined ? { of: g.of } : {}),
      ...(g.machine !== undefined ? { machine: g.machine } : {}),
      ...(g.revision ? { revision: { commit: g.revision.commit, dirty: g.revision.dirty } } : {}),
      summary: g.summary,
      changed: outcomes.filter((o) => o.change !== 'no-op').map((o) => o.id),
      secrets: outcomes.filter(secret).map((o) => o.id),
    })
  } catch (e) {
    // the apply happened and is recorded: a log that cannot be written is said, not turned into a failure
    process.stderr.write(`warning: audit log not written: ${e instanceof Error ? e.message : String(e)}\n`)
  }
}
