import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Origin } from '../dsl/ir.ts'

/** What the manifest says of one state ID. */
export interface StateRow {
  readonly sls: string
  readonly fun: string
  /** Where the TypeScript declared it (absolute file path). */
  readonly origin?: Origin
  /** Its changes may hold a secret: never print or store its diff. */
  readonly secret: boolean
}

/** The manifest of a tree, read as a lookup from state ID to its TypeScript origin. */
export interface ManifestOrigins {
  readonly states: ReadonlyMap<string, StateRow>
  /** The tree's files (path under the tree → sha256), as the manifest lists them. */
  readonly files?: Readonly<Record<string, string>>
}

/** A state whose ID Salt renders (from pillar or grains, in a loop): its label as a pattern. */
interface TemplateRow {
  readonly pattern: RegExp
  /** Characters of the label outside its `${…}` parts: the most specific label wins. */
  readonly literal: number
  readonly row: StateRow
}

const PLACEHOLDER = /\$\{[^}]*\}/g
const templateCache = new WeakMap<ReadonlyMap<string, StateRow>, readonly TemplateRow[]>()

function templatesOf(states: ReadonlyMap<string, StateRow>): readonly TemplateRow[] {
  const cached = templateCache.get(states)
  if (cached !== undefined) return cached
  const list: TemplateRow[] = []
  for (const [id, row] of states) {
    if (!id.includes('${')) continue
    const parts = id.split(PLACEHOLDER)
    const source = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?')
    list.push({ pattern: new RegExp(`^${source}$`, 's'), literal: parts.join('').length, row })
  }
  templateCache.set(states, list)
  return list
}

/**
 * The manifest row of a state as Salt reports it: by its ID, else, for an ID Salt rendered (the manifest
 * lists it by its label, `${pillar.users[*].key}_user`), by the label it matches in the same SLS and
 * function, the most specific one when several do.
 */
export function rowOf(
  manifest: ManifestOrigins,
  id: string,
  sls: string | undefined,
  fun: string,
): StateRow | undefined {
  const exact = manifest.states.get(id)
  if (exact !== undefined) return exact
  let best: TemplateRow | undefined
  for (const t of templatesOf(manifest.states)) {
    if (t.row.fun !== fun || (sls !== undefined && t.row.sls !== sls)) continue
    if (t.pattern.test(id) && (best === undefined || t.literal > best.literal)) best = t
  }
  return best?.row
}

interface ManifestFile {
  readonly files?: Readonly<Record<string, string>>
  readonly sources?: readonly string[]
  readonly state_fields?: readonly string[]
  readonly states?: Readonly<Record<string, readonly unknown[]>>
}

/**
 * Reads `tree/manifest.json`; its source paths are relative to `projectRoot`. Columns are found by the
 * names `state_fields` gives them, so a column added later (`secret`) is read when it is there.
 */
export function readManifestOrigins(tree: string, projectRoot: string): ManifestOrigins {
  const file = join(tree, 'manifest.json')
  const states = new Map<string, StateRow>()
  if (!existsSync(file)) return { states }
  const m = JSON.parse(readFileSync(file, 'utf8')) as ManifestFile
  const fields = m.state_fields ?? ['sls', 'function', 'source', 'line', 'column']
  const col = (name: string) => fields.indexOf(name)
  const [sls, fun, source, line, column, secret] = [
    col('sls'),
    col('function'),
    col('source'),
    col('line'),
    col('column'),
    col('secret'),
  ]
  for (const [id, row] of Object.entries(m.states ?? {})) {
    const src = m.sources?.[Number(row[source])]
    const origin =
      src === undefined
        ? undefined
        : { file: join(projectRoot, src), line: Number(row[line]), column: Number(row[column]) }
    states.set(id, {
      sls: String(row[sls] ?? ''),
      fun: String(row[fun] ?? ''),
      ...(origin ? { origin } : {}),
      secret: secret >= 0 && row[secret] === true,
    })
  }
  return { states, files: m.files ?? {} }
}
