/** What Salt renders for one minion: the state IDs of its highstate, with `when()` evaluated as Jinja would. */
import type { Cond, Expr, Program, StateNode } from '../../dsl/ir.ts'
import { PLATFORM_GRAINS, type Platform } from '../../dsl/platform.ts'
import { mergeCases, mergesDicts, pickCase } from '../../dsl/platform-match.ts'
import { shellQuote } from '../../dsl/shell.ts'
import { type Data, getPath, smartMerge } from './merge.ts'
import { itemValue, renderedIds } from './predict-loops.ts'
import type { ResolvedMinion } from './resolve-machines.ts'

/** Python truthiness. */
const truthy = (v: Data | undefined): boolean =>
  !(
    v === undefined ||
    v === null ||
    v === false ||
    v === 0 ||
    v === '' ||
    (Array.isArray(v) && v.length === 0)
  ) && !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)

/** The value of a lookup for `m` (pillar from the merge, grains from the assumed grains). */
export function evalExpr(e: Expr, m: ResolvedMinion): Data | undefined {
  switch (e.kind) {
    case 'pillar': {
      const found = getPath(m.pillar, e.path)
      return found === undefined && e.default !== undefined ? (e.default as Data) : found
    }
    case 'grain':
      return getPath(m.grains as Data, e.path)
    case 'concat':
      return e.parts.map((p) => (typeof p === 'string' ? p : String(evalExpr(p, m) ?? ''))).join('')
    case 'platform': {
      if (mergesDicts(e.cases))
        return (mergeCases(e.cases, m.grains, (a, b) => smartMerge(a as never, b as never, false)) ??
          null) as Data
      const hit = pickCase(e.cases, m.grains, (p) => PLATFORM_GRAINS[p as Platform]?.os)
      return (hit?.[1] as Data | undefined) ?? null
    }
    case 'quoted':
      return shellQuote(String(evalExpr(e.expr, m) ?? ''))
    case 'filter':
      return evalFilter(e.filter, evalExpr(e.expr, m), e.args as Data[])
    case 'item':
      return itemValue(e, m)
  }
}

/** What Jinja's filter gives (filters.ts names the ones a config can use). */
function evalFilter(name: string, v: Data | undefined, args: readonly Data[]): Data | undefined {
  if (name === 'default') return truthy(v) ? v : args[0]
  if (name === 'join') return Array.isArray(v) ? v.map(String).join(String(args[0] ?? '')) : v
  const s = String(v ?? '')
  if (name === 'lower') return s.toLowerCase()
  if (name === 'upper') return s.toUpperCase()
  if (name === 'replace') return s.split(String(args[0])).join(String(args[1]))
  return v
}

export function evalCond(c: Cond, m: ResolvedMinion): boolean {
  switch (c.kind) {
    case 'truthy':
      return truthy(evalExpr(c.expr, m))
    case 'eq':
      return evalExpr(c.expr, m) === c.value
    case 'in':
      return c.values.includes(evalExpr(c.expr, m) as never)
    case 'not':
      return !evalCond(c.cond, m)
    case 'and':
      return c.conds.every((x) => evalCond(x, m))
    case 'or':
      return c.conds.some((x) => evalCond(x, m))
  }
}

/** The SLS a highstate renders: the top-file selection plus everything it includes. */
export function renderedSls(program: Program, selected: readonly string[], m?: ResolvedMinion): Set<string> {
  const included = (s: Program['sls'][number]) => {
    const when = (name: string) => s.includeOptions?.[name]?.when
    return m === undefined
      ? s.includes
      : s.includes.filter((n) => when(n) === undefined || evalCond(when(n)!, m))
  }
  const includes = new Map<string, Set<string>>(program.sls.map((s) => [s.name, new Set(included(s))]))
  for (const s of program.states) {
    if (s.extends !== undefined && s.extends !== s.sls) includes.get(s.sls)?.add(s.extends)
    for (const r of s.requisites) {
      const t = program.states[r.target]
      if (t && t.sls !== s.sls) includes.get(s.sls)?.add(t.sls)
    }
  }
  const out = new Set<string>()
  const visit = (name: string) => {
    if (out.has(name)) return
    out.add(name)
    for (const next of includes.get(name) ?? []) visit(next)
  }
  selected.forEach(visit)
  return out
}

/** State IDs of the minion's highstate, sorted. */
export function predictHighstate(program: Program, m: ResolvedMinion): string[] {
  const sls = renderedSls(program, m.sls, m)
  const holds = (s: StateNode, view: ResolvedMinion) => s.when.every((c) => evalCond(c, view))
  const out: string[] = []
  for (const s of program.states) {
    // a state under another's ID adds a module to it, not an ID
    if (s.extends !== undefined || s.joins !== undefined || !sls.has(s.sls)) continue
    if (s.loops === undefined && s.idExpr === undefined) {
      if (holds(s, m)) out.push(s.id)
    } else out.push(...renderedIds(s, m, evalExpr, holds))
  }
  return out.sort()
}
