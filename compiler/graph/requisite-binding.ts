import { isExpr, type RequisiteKind, type StateNode } from '../../dsl/ir.ts'
import { type Diagnostic, error } from '../diagnostics.ts'

/**
 * How Salt 3008 finds the states a requisite names (`- <module>: <value>`), so that the emitted
 * requisite binds exactly the state its handle names:
 *
 * - `require`, `watch`, `onchanges`, `onfail`, `prereq` and the `_any` forms are resolved by
 *   salt/utils/requisite.py `DependencyGraph.add_dependency`: every state of that module whose ID *or
 *   name* is the value, and when the value holds `*`, `?`, `[` or `]` (`_is_fnmatch_pattern`), every one
 *   that value matches as an fnmatch glob. The emitter escapes those characters (`[*]`, `[?]`, `[[]`,
 *   `[]]`), which fnmatch reads as the characters themselves.
 * - The `_in` forms find their target by its exact ID (state.py `requisite_in`, `reconcile_extend`), then
 *   write the requisite back onto it naming the declaring state as `<its module>: <its ID>`, unescaped:
 *   that reference is a glob when the declaring state's ID holds those characters, and nothing can escape it.
 * - `listen` / `listen_in` match module and ID or name exactly (state.py `call_listen`); `use` / `use_in`
 *   find the exact ID first (`find_name`, strict).
 */
const GLOBBED = new Set<RequisiteKind>([
  'require',
  'watch',
  'onchanges',
  'onfail',
  'prereq',
  'require_any',
  'watch_any',
  'onchanges_any',
  'onfail_any',
])
/** `_in` forms whose back reference `add_dependency` resolves (as a glob). */
const GLOBBED_IN = new Set<RequisiteKind>([
  'require_in',
  'watch_in',
  'onchanges_in',
  'onfail_in',
  'prereq_in',
])
const GLOB_CHARS = /[*?[\]]/g
const HAS_GLOB = /[*?[\]]/

/** The value a requisite of this kind names a literal ID with: glob characters escaped where Salt globs. */
export function requisiteValue(kind: RequisiteKind, id: string): string {
  return GLOBBED.has(kind) && HAS_GLOB.test(id) ? id.replace(GLOB_CHARS, (c) => `[${c}]`) : id
}

/**
 * Requisites Salt would bind to more (or other) states than the one their handle names: DSL3060 when
 * another state of the module is *named* what the reference says, DSL3061 when an `_in` form's back
 * reference is a glob that does not match exactly its own state. States whose ID or name Salt renders
 * (pillar, grains, loops) or that exist only under a condition are left out: what they bind is known
 * only per machine.
 */
export function checkBindings(states: readonly StateNode[]): Diagnostic[] {
  let index: ModuleIndex | undefined
  const out: Diagnostic[] = []
  for (const s of states) {
    for (const r of s.requisites) {
      if (r.sls !== undefined || r.kind === 'use' || r.kind === 'use_in') continue
      const t = states[r.target]
      if (r.byName === true && t !== undefined) {
        // a name Salt renders (byPlatform, a lookup) is known per machine only, like a rendered ID
        if (isExpr(t.args.name)) continue
        const name = requisiteName(t)
        if (name === undefined) {
          out.push(
            error(
              'DSL3062',
              `byName('${t.id}') in the ${r.kind} of '${s.id}': its name is not a string`,
              r.origin,
              {
                hint: 'name it by its handle: Salt renders this name per machine',
              },
            ),
          )
          continue
        }
        if (known(t)) {
          index ??= moduleIndex(states)
          const bound = index.bind(t.module, name, false, r.kind === 'listen' || r.kind === 'listen_in')
          // the states this state names by that name with that kind (`byName(a, b)`): Salt binds all of them
          const group = s.requisites.flatMap((q) => {
            const u = states[q.target]
            return q.byName === true &&
              q.kind === r.kind &&
              u?.module === t.module &&
              requisiteName(u) === name
              ? [u]
              : []
          })
          // reported once per group, at its first state
          const wrong = bound.length !== group.length || bound.some((u) => !group.includes(u))
          if (wrong && group[0] !== t) continue
          if (wrong) {
            const others = bound.filter((u) => !group.includes(u))
            out.push(
              error(
                'DSL3062',
                `byName('${t.id}') in the ${r.kind} of '${s.id}' would also bind ${list(others)}: Salt matches \`${t.module}: ${name}\` against the ID and the name of every ${t.module} state`,
                r.origin,
                { hint: 'name it by its handle (its ID), or name every state Salt binds: byName(a, b)' },
              ),
            )
            continue
          }
        }
        if (!r.kind.endsWith('_in')) continue
      }
      if (t === undefined || !known(s) || !known(t)) continue
      const back = r.kind.endsWith('_in')
      // the state Salt must find, and the reference it finds it by
      const [named, other] = back ? [s, t] : [t, s]
      const glob = back && GLOBBED_IN.has(r.kind) && HAS_GLOB.test(named.id)
      const listen = r.kind === 'listen' || r.kind === 'listen_in'
      index ??= moduleIndex(states)
      if (!glob && !index.named.has(named.id) && !(listen && named.id === named.module)) continue
      const bound = index.bind(named.module, named.id, glob, listen)
      if (bound.length === 1 && bound[0] === named) continue
      out.push(
        glob
          ? globDiagnostic(r.kind, named, other, bound, r.origin)
          : nameDiagnostic(r.kind, named, bound, r.origin),
      )
    }
  }
  return out
}

/** The name a `byName()` requisite writes for `t`: its literal `name`, else its ID; undefined when rendered. */
export function requisiteName(t: StateNode): string | undefined {
  if (t.idExpr !== undefined) return undefined
  const name = t.args.name
  return name === undefined ? t.id : typeof name === 'string' ? name : undefined
}

/** A state whose ID and names are literals, under no condition. */
function known(s: StateNode): boolean {
  return s.idExpr === undefined && s.loops === undefined && s.when.length === 0 && names(s) !== undefined
}

/** The names Salt gives a state's chunks (`name`, each of `names`, else the ID); undefined when rendered. */
function names(s: StateNode): readonly string[] | undefined {
  const list = s.args.names
  if (Array.isArray(list)) {
    const out: string[] = []
    for (const entry of list) {
      if (typeof entry === 'string') out.push(entry)
      else if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
        const keys = Object.keys(entry)
        if (keys.length !== 1) return undefined
        out.push(keys[0]!)
      } else return undefined
    }
    return out
  }
  const name = s.args.name
  if (name === undefined) return [s.id]
  return typeof name === 'string' ? [name] : undefined
}

interface ModuleIndex {
  /** Every literal name some state carries that is not its own ID (the only way a plain reference widens). */
  readonly named: ReadonlySet<string>
  bind(module: string, value: string, glob: boolean, listen: boolean): StateNode[]
}

function moduleIndex(states: readonly StateNode[]): ModuleIndex {
  const byModule = new Map<string, StateNode[]>()
  const named = new Set<string>()
  for (const s of states) {
    if (!known(s)) continue
    const list = byModule.get(s.module)
    if (list === undefined) byModule.set(s.module, [s])
    else list.push(s)
    for (const n of names(s)!) if (n !== s.id) named.add(n)
  }
  return {
    named,
    bind(module, value, glob, listen) {
      const match = glob ? fnmatch(value) : (text: string) => text === value
      // call_listen tests `value in (module, id, name)`: a value equal to the module name matches all
      const all = listen && value === module
      return (byModule.get(module) ?? []).filter((u) => all || match(u.id) || names(u)!.some(match))
    },
  }
}

/** Python's fnmatch.fnmatchcase (3.11 `translate`), as Salt calls it on POSIX. */
export function fnmatch(pattern: string): (text: string) => boolean {
  let re = ''
  let star = false
  const chars = [...pattern]
  for (let i = 0; i < chars.length; ) {
    const c = chars[i++]!
    if (c === '*') {
      if (!star) re += '.*'
      star = true
      continue
    }
    star = false
    if (c === '?') re += '.'
    else if (c === '[') {
      let j = i
      if (chars[j] === '!') j++
      if (chars[j] === ']') j++
      while (j < chars.length && chars[j] !== ']') j++
      if (j >= chars.length) {
        re += '\\['
        continue
      }
      re += charClass(chars.slice(i, j))
      i = j + 1
    } else re += c.replace(/[\\^$.*+?()[\]{}|/-]/, '\\$&')
  }
  const compiled = new RegExp(`^(?:${re})$`, 'su')
  return (text) => compiled.test(text)
}

/** A bracket expression's inside (`!` negates, `a-z` ranges; an empty range never matches). */
function charClass(stuff: readonly string[]): string {
  const negate = stuff[0] === '!'
  const body = negate ? stuff.slice(1) : stuff
  const esc = (c: string) => c.replace(/[\\\]^[-]/, '\\$&')
  let cls = ''
  for (let k = 0; k < body.length; k++) {
    if (body[k + 1] === '-' && k + 2 < body.length) {
      if (body[k]! <= body[k + 2]!) cls += `${esc(body[k]!)}-${esc(body[k + 2]!)}`
      k += 2
    } else cls += esc(body[k]!)
  }
  if (cls === '') return negate ? '.' : '(?!)'
  return `[${negate ? '^' : ''}${cls}]`
}

const list = (states: readonly StateNode[]) => states.map((u) => `'${u.id}'`).join(', ')

function nameDiagnostic(
  kind: RequisiteKind,
  named: StateNode,
  bound: readonly StateNode[],
  origin: StateNode['origin'],
): Diagnostic {
  const others = bound.filter((u) => u !== named)
  const message = `the ${kind} naming '${named.id}' would also bind ${list(others)}: Salt matches \`${named.module}: ${named.id}\` against the ID and the name of every ${named.module} state`
  return error('DSL3060', message, origin, {
    related: others.map((u) => ({ message: `'${u.id}' is named '${named.id}'`, origin: u.origin })),
    hint: `give '${named.id}' another \`id\`, or the other state another name`,
  })
}

function globDiagnostic(
  kind: RequisiteKind,
  named: StateNode,
  target: StateNode,
  bound: readonly StateNode[],
  origin: StateNode['origin'],
): Diagnostic {
  const base = kind.slice(0, -'_in'.length)
  const found = bound.filter((u) => u !== named)
  const what =
    bound.includes(named) && found.length > 0
      ? `also matches ${list(found)}`
      : found.length > 0
        ? `matches ${list(found)} instead`
        : 'matches no state ("Referenced state does not exist")'
  const message = `'${named.id}' cannot be named by a ${kind}: Salt writes \`${base}: [${named.module}: ${named.id}]\` onto '${target.id}', and reads that ID as a glob, which ${what}`
  return error('DSL3061', message, origin, {
    hint: `give the state an \`id\` without *, ? or [ ], or put \`${base}\` on '${target.id}' instead`,
  })
}
