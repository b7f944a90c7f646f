// Graph checks of render-time loops and rendered IDs, per iteration template: an ID every iteration
// repeats, a requisite that names a state of a loop it is not in, rendered IDs that can equal another.
import type { Expr, Program, StateNode } from '../../dsl/ir.ts'
import { type Diagnostic, error, warning } from '../diagnostics.ts'
import { exclusive } from './duplicate-ids.ts'

/** The loop depths an expression reads an item of. */
function depthsOf(e: Expr, into: Set<number>): Set<number> {
  if (e.kind === 'item') into.add(e.depth)
  else if (e.kind === 'concat') {
    for (const p of e.parts) if (typeof p !== 'string') depthsOf(p, into)
  } else if (e.kind === 'quoted' || e.kind === 'filter') depthsOf(e.expr, into)
  return into
}

/** Every loop check of the program (nothing to do, and nothing allocated, without loops or rendered IDs). */
export function loopChecks(program: Program): Diagnostic[] {
  let out: Diagnostic[] | undefined
  let templates: StateNode[] | undefined
  const states = program.states
  for (const s of states) {
    if (s.loops === undefined && s.idExpr === undefined) continue
    out ??= []
    if (s.idExpr !== undefined && s.joins === undefined) {
      templates ??= []
      templates.push(s)
    }
    if (s.loops !== undefined && s.joins === undefined && s.extends === undefined) {
      const read = s.idExpr === undefined ? new Set<number>() : depthsOf(s.idExpr, new Set())
      const missing = s.loops.filter((l) => !read.has(l.depth))
      if (missing.length > 0) {
        const message = `state ID '${s.id}' is the same in every iteration of the forEach() around it (Salt: "Detected conflicting IDs" once the list has two elements)`
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint shows TypeScript the user writes
        const hint = 'build the ID from the loop item or key, e.g. `id: text`${name}_user``'
        out.push(
          error('DSL3072', message, s.origin, {
            related: [{ message: 'the loop', origin: missing[0]!.origin }],
            hint,
          }),
        )
      }
    }
  }
  // requisites into a loop's states: only where there are loops
  if (out === undefined) return []
  for (const s of states) {
    for (const r of s.requisites) {
      if (r.sls !== undefined) continue
      const target = states[r.target]
      if (target?.loops === undefined) continue
      const mine = new Set(s.loops ?? [])
      const outside = target.loops.find((l) => !mine.has(l))
      if (outside === undefined) continue
      out ??= []
      const message = `'${s.id}' has a ${r.kind} on '${target.id}', a state of a forEach() it is not in: which iteration's state is meant cannot be said`
      const hint =
        'declare the requisite inside the loop (e.g. `require_in` from the loop body), or point at the whole SLS'
      out.push(
        error('DSL3071', message, r.origin, {
          related: [{ message: 'the loop', origin: outside.origin }],
          hint,
        }),
      )
    }
  }
  if (templates !== undefined) out!.push(...mayEqual(templates, states))
  return out ?? []
}

/** Whether an ID part is a list's index (digits only): the key of a loop the schema says is over a list. */
const isIndex = (p: string | Expr, s: StateNode) =>
  typeof p !== 'string' && p.kind === 'item' && p.key && s.loops?.[p.depth]?.list === true

/** A rendered ID as a pattern: its literal parts, a list's index digits, any other expression any text. */
function pattern(s: StateNode): RegExp {
  const e = s.idExpr!
  const parts = e.kind === 'concat' ? e.parts : [e]
  const source = parts
    .map((p) =>
      typeof p === 'string'
        ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        : isIndex(p, s)
          ? '[0-9]+'
          : '[\\s\\S]*',
    )
    .join('')
  return new RegExp(`^${source}$`)
}

/** The literal text before the first and after the last expression (`0` for a list's index at the end). */
function ends(s: StateNode): [string, string] {
  const e = s.idExpr!
  if (e.kind !== 'concat') return ['', '']
  const first = e.parts[0]
  const last = e.parts[e.parts.length - 1]!
  const tail = typeof last === 'string' ? (e.parts.length > 1 ? last : '') : isIndex(last, s) ? '0' : ''
  return [typeof first === 'string' ? first : '', tail]
}

const compatible = (a: string, b: string, atEnd: boolean) =>
  atEnd
    ? a.endsWith(b) || b.endsWith(a) || (/[0-9]$/.test(a) && /[0-9]$/.test(b))
    : a.startsWith(b) || b.startsWith(a)

/** Whether two rendered IDs start with the same lookup (a map's key: IDs namespaced by it). */
function sameHead(a: Expr, b: Expr): boolean {
  const head = (e: Expr) => (e.kind === 'concat' ? e.parts[0] : e)
  const x = head(a)
  const y = head(b)
  return typeof x !== 'string' && typeof y !== 'string' && JSON.stringify(x) === JSON.stringify(y)
}

/** Rendered IDs that some data would make equal to another ID: a warning (Salt refuses the pair only then). */
function mayEqual(templates: readonly StateNode[], states: readonly StateNode[]): Diagnostic[] {
  const out: Diagnostic[] = []
  // one warning per pair of IDs (an ID declared twice is the duplicate check's)
  const pairs = new Set<string>()
  for (const t of templates) {
    const re = pattern(t)
    const [head, tail] = ends(t)
    for (const s of states) {
      if (s === t || s.joins !== undefined || s.extends !== undefined || exclusive(s.when, t.when)) continue
      if (s.idExpr === undefined ? !re.test(s.id) : s.key < t.key || s.id === t.id) continue
      if (s.idExpr !== undefined) {
        // two IDs of one loop from the same lookups in the same order differ where their text differs
        if (s.loops === t.loops && sameLookups(s.idExpr, t.idExpr!)) continue
        // IDs that start with the same key of one loop are namespaced by it
        if (sameHead(s.idExpr, t.idExpr!)) continue
        const [h, e] = ends(s)
        if (!compatible(head, h, false) || !compatible(tail, e, true)) continue
      }
      const pair = `${t.id}\0${s.id}`
      if (pairs.has(pair)) continue
      pairs.add(pair)
      const message = `state ID '${t.id}' can render equal to '${s.id}' for some pillar or grains data (then Salt: "Detected conflicting IDs")`
      out.push(
        warning('DSL3070', message, t.origin, {
          related: [{ message: `'${s.id}' is declared here`, origin: s.origin }],
          hint: 'give the rendered ID a prefix or suffix no other ID has',
        }),
      )
    }
  }
  return out
}

/** Whether two rendered IDs read the same lookups in the same order. */
function sameLookups(a: Expr, b: Expr): boolean {
  const of = (e: Expr) =>
    JSON.stringify(e.kind === 'concat' ? e.parts.filter((p) => typeof p !== 'string') : [e])
  return of(a) === of(b)
}
