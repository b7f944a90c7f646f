// Which SLS of the tree become TypeScript, and their source. An SLS is translated when Salt renders its
// states the same on every machine (so plain TypeScript says it), its file has no include or extend (the
// TypeScript would derive its own), each ID holds one state, and every requisite names an earlier state
// of the same SLS (it becomes that state's handle). Anything else stays hand-written Salt.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tsKey, tsLiteral } from './literal.ts'
import { PerOs } from './per-os.ts'
import type { MachineRender } from './salt-renders.ts'

/** One SLS turned into TypeScript: its name, its file in the original tree and its `sls()` source. */
export interface TranslatedSls {
  readonly name: string
  readonly file: string
  readonly states: number
  /** It holds a byPlatform value. */
  readonly perPlatform: boolean
  readonly source: (handle: string) => string
}

/** Why an SLS was not translated. */
export interface KeptSls {
  readonly name: string
  readonly reason: string
}

interface LowState {
  readonly id: string
  readonly module: string
  readonly fun: string
  readonly args: Record<string, unknown>
}

const REQUISITES = ['require', 'watch', 'onchanges', 'onfail', 'listen']
const REFUSED_ARGS = /^(prereq|use|.*_in|.*_any|require|watch|onchanges|onfail|listen)$/
const MODES = new Set(['mode', 'dir_mode', 'file_mode', 'sym_mode'])

/** The file of SLS `name` under `root`, as Salt looks it up (`a.b` → `a/b.sls`, else `a/b/init.sls`). */
export function slsFile(root: string, name: string): string | undefined {
  const base = join(root, ...name.split('.'))
  for (const f of [`${base}.sls`, join(base, 'init.sls')]) if (existsSync(f)) return f
  return undefined
}

/** The states of SLS `sls` in one machine's highstate, in Salt's order; a string when one cannot be read. */
function statesOf(high: Readonly<Record<string, unknown>>, sls: string): LowState[] | string {
  const found: { order: number; state: LowState }[] = []
  for (const [id, body] of Object.entries(high)) {
    if (id === '__extend__' || body === null || typeof body !== 'object') continue
    const b = body as Record<string, unknown>
    if (b.__sls__ !== sls) continue
    // one ID may hold several states (a group, a user and a home under one name): each is a state of its own
    for (const module of Object.keys(b).filter((k) => !k.startsWith('__'))) {
      const parts = b[module] as unknown[]
      const fun = parts.filter((p): p is string => typeof p === 'string')
      if (fun.length !== 1) return `ID '${id}' has no single function for ${module}`
      const args: Record<string, unknown> = {}
      let order = 0
      for (const p of parts)
        if (p !== null && typeof p === 'object')
          for (const [k, v] of Object.entries(p)) {
            if (k === 'order' && typeof v === 'number') order = v
            else args[k] = v
          }
      found.push({ order, state: { id, module, fun: fun[0] as string, args } })
    }
  }
  return found.sort((a, b) => a.order - b.order).map((f) => f.state)
}

/** Why `states` cannot be written as TypeScript, or undefined when they can. */
function untranslatable(states: readonly LowState[]): string | undefined {
  const seen = new Set<string>()
  for (const s of states) {
    const keys = Object.keys(s.args)
    // salt-dsl writes `name` first; Salt's render keeps the author's order, and the round trip compares it
    if (keys.includes('name') && keys[0] !== 'name') return `'${s.id}': 'name' is not its first argument`
    for (const [k, v] of Object.entries(s.args)) {
      if (s.module === 'file' && MODES.has(k) && typeof v === 'number')
        return `'${s.id}': mode ${v} is a YAML integer, which a typed file mode writes as a string`
      if (v instanceof PerOs) {
        if (s.module === 'file' && MODES.has(k)) return `'${s.id}': its mode differs per machine`
        continue
      }
      if (!REFUSED_ARGS.test(k)) continue
      if (!REQUISITES.includes(k)) return `'${s.id}': requisite '${k}'`
      for (const t of (Array.isArray(v) ? v : [v]) as unknown[]) {
        const target = t !== null && typeof t === 'object' ? Object.entries(t)[0] : undefined
        if (target === undefined || !seen.has(`${target[0]}|${String(target[1])}`))
          return `'${s.id}': a requisite on a state outside the SLS or declared after it`
      }
    }
    seen.add(`${s.module}|${s.id}`)
  }
  return undefined
}

function sourceOf(name: string, states: readonly LowState[]): (handle: string) => string {
  const referenced = new Set<string>()
  for (const s of states)
    for (const k of REQUISITES)
      for (const t of (s.args[k] as unknown[] | undefined) ?? [])
        referenced.add(Object.entries(t as object).map(([m, id]) => `${m}|${String(id)}`)[0] ?? '')
  const ids = states.map((s) => s.id)
  const shared = new Set(ids.filter((id, i) => ids.indexOf(id) !== i))
  return (handle) => {
    const vars = new Map<string, string>()
    const first = new Map<string, string>()
    const lines = states.map((s, i) => {
      const args = Object.entries(s.args).map(([k, v]) => {
        if (!REQUISITES.includes(k)) return `${tsKey(k)}: ${tsLiteral(v, '    ')}`
        const refs = (v as object[]).map((t) =>
          vars.get(Object.entries(t).map(([m, id]) => `${m}|${id}`)[0] ?? ''),
        )
        return `${k}: [${refs.join(', ')}]`
      })
      const key = `${s.module}|${s.id}`
      // the second state of an ID names the first one's handle as its ID
      const id = first.get(s.id) ?? JSON.stringify(s.id)
      const body = [`id: ${id}`, ...args].map((a) => `\n    ${a},`).join('')
      const call = `state('${s.module}.${s.fun}', {${body}\n  })`
      const v = `s${i}`
      if (shared.has(s.id) && !first.has(s.id)) first.set(s.id, v)
      else if (!referenced.has(key)) return `  ${call}`
      vars.set(key, v)
      return `  const ${v} = ${call}`
    })
    return `export const ${handle} = sls(${JSON.stringify(name)}, () => {\n${lines.join('\n')}\n})`
  }
}

/**
 * One machine's states when all render alike; else, when the machines differ only in argument values and
 * each has its own `os` grain, the states with those arguments as PerOs; else why not.
 */
function mergeRenders(per: readonly LowState[][], renders: readonly MachineRender[]): LowState[] | string {
  const first = per[0] ?? []
  if (per.every((p) => JSON.stringify(p) === JSON.stringify(first))) return first
  const shape = (p: readonly LowState[]) =>
    JSON.stringify(p.map((s) => [s.id, s.module, s.fun, Object.keys(s.args)]))
  if (!per.every((p) => shape(p) === shape(first))) return 'Salt renders other states per machine'
  const os = renders.map((r) => String(r.machine.grains.os ?? ''))
  if (os.includes('') || new Set(os).size !== os.length)
    return 'Salt renders it differently on machines with the same os grain'
  return first.map((s, i) => {
    const args: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(s.args)) {
      const values = per.map((p) => p[i]?.args[k])
      const alike = values.every((x) => JSON.stringify(x) === JSON.stringify(v))
      args[k] = alike || REFUSED_ARGS.test(k) ? v : new PerOs(new Map(os.map((o, j) => [o, values[j]])))
    }
    return { ...s, args }
  })
}

/** Decides each SLS of the machines' highstates: translated, or kept with the reason. */
export function translateSls(saltRoot: string, renders: readonly MachineRender[]) {
  const translated: TranslatedSls[] = []
  const kept: KeptSls[] = []
  const names = [
    ...new Set(
      renders.flatMap((r) =>
        Object.values(r.highstate ?? {}).flatMap((b) => {
          const sls = (b as { __sls__?: unknown } | null)?.__sls__
          return typeof sls === 'string' ? [sls] : []
        }),
      ),
    ),
  ]
  for (const name of names) {
    const file = slsFile(saltRoot, name)
    const keep = (reason: string) => kept.push({ name, reason })
    if (file === undefined) {
      keep('its file was not found')
      continue
    }
    if (/\b(include|extend)\b/.test(readFileSync(file, 'utf8'))) {
      keep('it includes or extends other SLS')
      continue
    }
    const per = renders.map((r) => (r.highstate === undefined ? 'no highstate' : statesOf(r.highstate, name)))
    const bad = per.find((p) => typeof p === 'string')
    if (typeof bad === 'string') {
      keep(bad)
      continue
    }
    const merged = mergeRenders(per as LowState[][], renders)
    if (typeof merged === 'string') {
      keep(merged)
      continue
    }
    const first = merged
    const why = untranslatable(first)
    if (why !== undefined) {
      keep(why)
      continue
    }
    const perPlatform = first.some((st) => Object.values(st.args).some((v) => v instanceof PerOs))
    translated.push({ name, file, states: first.length, perPlatform, source: sourceOf(name, first) })
  }
  return { translated, kept }
}
