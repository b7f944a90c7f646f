// What an SLS file includes: a translated SLS writes the same `include:` (salt-dsl's `include` option), and
// Salt's render shows any difference (the order it numbers states in, and each included state's
// `__sls_included_from__`). A plain top-level list of SLS names is read from the text; an include Jinja
// decides (under an `if` or a `for`, or with Jinja in its list) is read from Salt's render of the file on each
// machine (salt-renders.ts), and written per item under when() where machines differ. A relative or
// per-saltenv item, `extend:` or `exclude:` keeps the SLS, with the reason.
import { readFileSync } from 'node:fs'
import { OS_NAMES } from '../dsl/grain-values.ts'
import { mergeOrder } from './merge-renders.ts'
import type { MachineRender } from './salt-renders.ts'
import type { LowState } from './sls-source.ts'

/** The SLS a file includes, in its order, and why its includes cannot be written as TypeScript. */
export interface SlsIncludes {
  readonly includes: readonly string[]
  readonly reasons: readonly string[]
  /** Jinja decides what it includes: Salt's render of the file on each machine tells (`includes` is empty). */
  readonly byJinja?: true
}

const NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/
const OPEN = /\{%-?\s*(if|for|macro|call|filter|block|raw)\b/g
const CLOSE = /\{%-?\s*end(if|for|macro|call|filter|block|raw)\b/g
const JINJA = /\{[{%]/

const unquote = (item: string) => item.trim().replace(/^(['"])(.*)\1$/, '$2')

/** Why an include item is not one salt-dsl writes (a relative, per-saltenv or glob item). */
const itemReason = (raw: string) =>
  `its include: holds ${JSON.stringify(raw.trim())}, not an SLS name (a relative, a per-saltenv or a glob item)`

/** The `include:` of SLS text, as Salt reads it when no Jinja decides it. */
export function readIncludes(text: string): SlsIncludes {
  const includes: string[] = []
  const reasons: string[] = []
  const lines = text.split('\n')
  let depth = 0
  let byJinja = false
  const count = (line: string) => [...line.matchAll(OPEN)].length - [...line.matchAll(CLOSE)].length
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (/^extend\s*:/.test(line)) reasons.push('it extends states of other SLS (extend:)')
    if (/^exclude\s*:/.test(line)) reasons.push('it excludes SLS or states (exclude:)')
    const include = /^include\s*:\s*(.*?)\s*(#.*)?$/.exec(line)
    depth += count(line)
    if (include === null) continue
    // under an if or a for, whether and what it includes is Jinja's decision per machine
    if (depth > 0) byJinja = true
    const flow = include[1] ?? ''
    const items: string[] = []
    if (JINJA.test(flow)) byJinja = true
    else if (flow.startsWith('[') && flow.endsWith(']'))
      items.push(
        ...flow
          .slice(1, -1)
          .split(',')
          .filter((x) => x.trim() !== ''),
      )
    else if (flow !== '') items.push(flow)
    else {
      // the block's items, and the Jinja tags among them (a tag after the last item ends the block)
      let tag = false
      for (; i + 1 < lines.length && /^(\s+\S|\s*$|\s*#|\s*\{[%#])/.test(lines[i + 1] as string); i++) {
        let next = lines[i + 1] as string
        if (/^\s*\{[%#]/.test(next)) {
          // a tag may go on over lines
          while (!/[%#]\}/.test(next) && i + 2 < lines.length) next += `\n${lines[++i + 1]}`
          depth += count(next)
          tag = true
          continue
        }
        const plain = next.replace(/\s+#.*$/, '')
        if (plain.trim() === '' || plain.trim().startsWith('#')) continue
        if (tag || JINJA.test(plain)) byJinja = true
        const item = /^\s*-\s+(.+)$/.exec(plain)
        items.push(item === null ? plain : (item[1] as string))
      }
    }
    for (const raw of items) {
      const name = unquote(raw)
      if (NAME.test(name)) includes.push(name)
      else if (!JINJA.test(raw)) reasons.push(itemReason(raw))
    }
  }
  const own = { reasons: [...new Set(reasons)] }
  return byJinja ? { includes: [], ...own, byJinja: true } : { includes, ...own }
}

/**
 * The `include:` of Salt's render of an SLS file (`data`: its `include` value; none when it has no
 * `include:`), as the names it includes and the reasons an item is not one salt-dsl writes.
 */
export function renderedIncludes(data: unknown): SlsIncludes {
  if (data === undefined || data === null) return { includes: [], reasons: [] }
  if (!Array.isArray(data)) return { includes: [], reasons: ['its include: renders to no list'] }
  const includes: string[] = []
  const reasons: string[] = []
  for (const item of data as unknown[])
    if (typeof item === 'string' && NAME.test(item)) includes.push(item)
    else reasons.push(itemReason(typeof item === 'string' ? item : JSON.stringify(item)))
  return { includes, reasons: [...new Set(reasons)] }
}

/** Reads each SLS file's includes once: `read(file)`. */
export function includeReader(): (file: string) => SlsIncludes {
  const cache = new Map<string, SlsIncludes>()
  return (file) => {
    let read = cache.get(file)
    if (read === undefined) {
      read = readIncludes(readFileSync(file, 'utf8'))
      cache.set(file, read)
    }
    return read
  }
}

/**
 * What each SLS includes on one machine: its file's list, or Salt's render of it there (`rendered`) when
 * Jinja decides; none for a missing file; undefined when unknown (an item salt-dsl does not write, or no
 * render of it on this machine).
 */
export function includesOn(
  fileOf: (sls: string) => string | undefined,
  read: (file: string) => SlsIncludes,
  rendered: ReadonlyMap<string, SlsIncludes> | undefined,
) {
  return (sls: string): readonly string[] | undefined => {
    const file = fileOf(sls)
    if (file === undefined) return []
    const own = read(file)
    const found = own.byJinja === true ? rendered?.get(sls) : own
    if (found === undefined || found.reasons.some((r) => r.startsWith('its include:'))) return undefined
    return found.includes
  }
}

/** One item of a translated SLS's `include` option: the SLS, and the machines including it when not all do. */
export interface IncludeItem {
  readonly sls: string
  readonly on?: LowState['on']
}

/**
 * The `include` option of SLS `name`, whose `include:` Jinja decides, from Salt's render of its file on each
 * machine that renders it: the SLS in an order each machine's list keeps, each under a condition when only
 * some of those machines include it (their os grains when these tell them from the others, else their
 * minion IDs); or the reasons it cannot be written so.
 */
export function jinjaIncludeItems(
  name: string,
  renders: readonly MachineRender[],
): { items: IncludeItem[]; reasons: string[] } {
  const on = renders.filter((r) => r.includes?.has(name))
  const reasons = new Set(on.flatMap((r) => r.includes?.get(name)?.reasons ?? []))
  // a machine with states of it that Salt's walk did not render it on (reached through an item salt-dsl does
  // not follow): what it includes there is unknown
  for (const r of renders)
    if (
      !on.includes(r) &&
      Object.values(r.highstate ?? {}).some((b) => (b as { __sls__?: unknown })?.__sls__ === name)
    )
      reasons.add(`its include: is Jinja's, and Salt's render of it on ${r.machine.id} is missing`)
  const lists = on.map((r) => [...new Set(r.includes?.get(name)?.includes ?? [])])
  const order = mergeOrder(lists)
  if (order === undefined) reasons.add('its include: lists SLS in another order on each machine')
  if (reasons.size > 0 || order === undefined) return { items: [], reasons: [...reasons] }
  const osOf = (r: MachineRender) => String(r.machine.grains.os ?? '')
  const items = order.map((sls): IncludeItem => {
    const having = on.filter((_, i) => lists[i]?.includes(sls))
    if (having.length === on.length) return { sls }
    const os = [...new Set(having.map(osOf))]
    // the os grains tell them apart when every one is known and no machine left out has one of them
    const byOs =
      os.every((o) => (OS_NAMES as readonly string[]).includes(o)) &&
      on.every((r) => having.includes(r) || !os.includes(osOf(r)))
    const machines = having.map((r) => r.machine.id)
    return { sls, on: { machines, os, ...(byOs ? {} : { byId: true as const }) } }
  })
  return { items, reasons: [] }
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
