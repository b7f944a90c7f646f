import type { LowChunk } from './lowstate.ts'

/** Keys of a rendered state that say where it runs, not what it does: left out of the comparison. */
const VOLATILE = new Set(['order', '__run_num__', '__env__', '__sls__'])
/** Requisites whose target must be in the run for the state to run at all. */
const NEEDS = ['require', 'watch', 'onchanges', 'prereq', 'listen', 'onfail', 'use'] as const
/** Requisites that make a state react to its target's changes: a changed target pulls the state in. */
const REACTS = new Set(['watch', 'onchanges', 'prereq', 'listen', 'onfail'])

/** A tree's files (`manifest.json`'s `files`: path under the tree → sha256). */
export type TreeFiles = ReadonlyMap<string, string>

/**
 * The IDs whose rendered states (Salt's lowstate for this machine) differ from the last generation's. A
 * state's form includes the content hash of each `salt://` file it sources: an edited asset changes the
 * state that ships it, though its arguments stay the same.
 */
export function changedStates(
  next: readonly LowChunk[],
  last: readonly LowChunk[],
  files: { readonly next: TreeFiles; readonly last: TreeFiles } = { next: new Map(), last: new Map() },
): string[] {
  const before = forms(last, files.last)
  const after = forms(next, files.next)
  return [...after].filter(([id, form]) => before.get(id) !== form).map(([id]) => id)
}

function forms(chunks: readonly LowChunk[], files: TreeFiles): Map<string, string> {
  const out = new Map<string, string[]>()
  for (const c of chunks) {
    const kept: unknown[] = Object.keys(c)
      .filter((k) => !VOLATILE.has(k))
      .sort()
      .map((k) => [k, c[k]])
    for (const path of sourcedFiles(c)) kept.push([path, files.get(path) ?? null])
    out.set(c.__id__, [...(out.get(c.__id__) ?? []), JSON.stringify(kept)])
  }
  return new Map([...out].map(([id, list]) => [id, [...new Set(list)].sort().join('\n')]))
}

/** The tree paths (`salt/…`) of the `salt://` files a state sources. */
export function sourcedFiles(c: LowChunk): string[] {
  const urls: string[] = []
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.startsWith('salt://')) urls.push(v)
    } else if (Array.isArray(v)) v.forEach(visit)
    else if (v !== null && typeof v === 'object') Object.keys(v).forEach(visit) // [{url: hash}]
  }
  visit(c.source)
  visit(c.sources)
  return urls.map((u) => `salt/${u.slice('salt://'.length).split('?')[0]}`)
}

/**
 * The states a run of `seeds` needs, read from the lowstate's requisites: what they require (so Salt finds
 * every requisite), and what watches them, runs on their changes or before them (watch, onchanges, prereq,
 * listen, onfail; `_in` forms read from the other side), with what those need in turn.
 */
export function requisiteClosure(chunks: readonly LowChunk[], seeds: Iterable<string>): Set<string> {
  const edges: { from: string; to: string; kind: string }[] = []
  const targets = (mod: string, target: string) =>
    chunks
      .filter((c) =>
        mod === 'sls'
          ? c.__sls__ === target
          : (c.__id__ === target || c.name === target) && (mod === 'id' || c.state === mod),
      )
      .map((c) => c.__id__)
  for (const c of chunks)
    for (const [key, value] of Object.entries(c)) {
      const inForm = key.endsWith('_in')
      const kind = (inForm ? key.slice(0, -3) : key).replace(/_any$/, '')
      if (!(NEEDS as readonly string[]).includes(kind) || !Array.isArray(value)) continue
      for (const item of value) {
        const pairs: [string, string][] =
          typeof item === 'string'
            ? [['id', item]]
            : Object.entries(item as Record<string, unknown>).map(([m, t]) => [m, String(t)])
        for (const [mod, target] of pairs)
          for (const to of targets(mod, target))
            edges.push(inForm ? { from: to, to: c.__id__, kind } : { from: c.__id__, to, kind })
      }
    }
  const out = new Set<string>()
  const todo = [...seeds]
  while (todo.length > 0) {
    const id = todo.pop() as string
    if (out.has(id)) continue
    out.add(id)
    for (const e of edges) {
      if (e.from === id) todo.push(e.to)
      else if (e.to === id && REACTS.has(e.kind)) todo.push(e.from)
    }
  }
  return out
}
