// What an SLS file includes, read from its text: a translated SLS writes the same `include:` (salt-dsl's
// `include` option), and Salt's render shows any difference (the order it numbers states in, and each
// included state's `__sls_included_from__`). Only a plain top-level list of SLS names is read so; an include
// under Jinja, a relative or per-saltenv item, `extend:` or `exclude:` keeps the SLS, with the reason.
import { readFileSync } from 'node:fs'

/** The SLS a file includes, in its order, and why its includes cannot be written as TypeScript. */
export interface SlsIncludes {
  readonly includes: readonly string[]
  readonly reasons: readonly string[]
}

const NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/
const OPEN = /\{%-?\s*(if|for|macro|call|filter|block|raw)\b/g
const CLOSE = /\{%-?\s*end(if|for|macro|call|filter|block|raw)\b/g

const unquote = (item: string) => item.trim().replace(/^(['"])(.*)\1$/, '$2')

/** The `include:` of SLS text, as Salt reads it when no Jinja decides it. */
export function readIncludes(text: string): SlsIncludes {
  const includes: string[] = []
  const reasons: string[] = []
  const lines = text.split('\n')
  let depth = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (/^extend\s*:/.test(line)) reasons.push('it extends states of other SLS (extend:)')
    if (/^exclude\s*:/.test(line)) reasons.push('it excludes SLS or states (exclude:)')
    const include = /^include\s*:\s*(.*?)\s*(#.*)?$/.exec(line)
    if (include !== null) {
      // under an if or a for, whether and what it includes is Jinja's decision per machine
      if (depth > 0) reasons.push('its include: is under a Jinja condition or loop')
      const flow = include[1] ?? ''
      const items: string[] = []
      if (flow.startsWith('[') && flow.endsWith(']'))
        items.push(
          ...flow
            .slice(1, -1)
            .split(',')
            .filter((x) => x.trim() !== ''),
        )
      else if (flow !== '') items.push(flow)
      else
        for (; i + 1 < lines.length && /^(\s+\S|\s*$|\s*#)/.test(lines[i + 1] as string); i++) {
          const next = (lines[i + 1] as string).replace(/\s+#.*$/, '')
          if (next.trim() === '' || next.trim().startsWith('#')) continue
          const item = /^\s*-\s+(.+)$/.exec(next)
          items.push(item === null ? next : (item[1] as string))
        }
      for (const raw of items) {
        const name = unquote(raw)
        if (NAME.test(name)) includes.push(name)
        else
          reasons.push(
            `its include: holds ${JSON.stringify(raw.trim())}, not an SLS name (Jinja, a relative or a per-saltenv item)`,
          )
      }
    }
    depth += [...line.matchAll(OPEN)].length - [...line.matchAll(CLOSE)].length
  }
  return { includes, reasons: [...new Set(reasons)] }
}

/** The SLS each SLS includes as its file says; undefined when Jinja decides them (none for a missing file). */
export function fileIncludes(fileOf: (sls: string) => string | undefined) {
  const cache = new Map<string, readonly string[] | undefined>()
  return (sls: string): readonly string[] | undefined => {
    if (cache.has(sls)) return cache.get(sls)
    const file = fileOf(sls)
    const read = file === undefined ? undefined : readIncludes(readFileSync(file, 'utf8'))
    const own = read?.reasons.some((r) => r.startsWith('its include:')) ? undefined : (read?.includes ?? [])
    cache.set(sls, own)
    return own
  }
}

/** Every SLS `name` brings in through its includes and theirs (those whose files say so). */
export function includeClosure(name: string, includesOf: (sls: string) => readonly string[] | undefined) {
  const out = new Set<string>()
  const visit = (sls: string) => {
    for (const n of includesOf(sls) ?? [])
      if (!out.has(n)) {
        out.add(n)
        visit(n)
      }
  }
  visit(name)
  return out
}

/**
 * The SLS Salt has begun to render before `name` for a machine whose top gives it `top`, in Salt's walk: each
 * SLS of the top in order, each followed by its includes depth first, none twice. Null when the walk does not
 * reach `name`; undefined when an include Jinja decides comes first (the walk is then unknown).
 */
export function renderedBefore(
  name: string,
  top: readonly string[],
  includesOf: (sls: string) => readonly string[] | undefined,
): Set<string> | null | undefined {
  const seen = new Set<string>()
  let result: Set<string> | undefined
  let unknown = false
  const visit = (sls: string) => {
    if (seen.has(sls) || unknown || result !== undefined) return
    if (sls === name) {
      result = new Set(seen)
      return
    }
    seen.add(sls)
    const own = includesOf(sls)
    if (own === undefined) unknown = true
    else for (const n of own) visit(n)
  }
  for (const sls of top) visit(sls)
  return unknown ? undefined : (result ?? null)
}
