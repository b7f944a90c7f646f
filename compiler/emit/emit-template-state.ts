// States whose ID, function or arguments Salt settles when it renders: a templated ID, one ID under several
// modules, a function chosen by a condition, arguments present only where their value is defined.
import type { Expr, StateNode } from '../../dsl/ir.ts'
import { condJinja, exprJinja, yamlOf } from './jinja-expr.ts'
import { type EmitOptions, emitState, JinjaExpr, jinjaLiteral, type YamlNode } from './yaml.ts'

const ID_MARK = 'dsl-id-mark'
const FUN_MARK = 'dsl.fun-mark'

/** A state the plain path writes: a literal ID, one function, every argument always there, no loop. */
export function isPlain(s: StateNode): boolean {
  return (
    s.idExpr === undefined &&
    s.joins === undefined &&
    s.loops === undefined &&
    s.optional === undefined &&
    s.funChoice === undefined
  )
}

/** The states that join another's ID, by the key of the state they join (undefined when there are none). */
export function joinedStates(members: readonly StateNode[]): Map<number, StateNode[]> | undefined {
  let out: Map<number, StateNode[]> | undefined
  for (const s of members) {
    if (s.joins === undefined) continue
    out ??= new Map()
    const list = out.get(s.joins)
    if (list === undefined) out.set(s.joins, [s])
    else list.push(s)
  }
  if (out === undefined) return undefined
  // only hosts of this file: a state joining one elsewhere is reported by the graph, and written on its own
  const here = new Set(members.map((s) => s.key))
  for (const key of [...out.keys()]) if (!here.has(key)) out.delete(key)
  return out
}

/** The ID a requisite names: the literal, or the expression Salt renders the target's ID with. */
export function targetId(target: StateNode): YamlNode {
  return target.idExpr === undefined ? target.id : new JinjaExpr(yamlOf(exprJinja(target.idExpr)))
}

/** The Jinja test that an argument's value is defined (a pillar key that is there, an element's field). */
function definedTest(e: Expr): string {
  if (e.kind === 'pillar' && e.default === undefined)
    return `salt['pillar.get'](${jinjaLiteral(e.path.join(':'))}, none) is not none`
  return `(${exprJinja(e)}) is not none`
}

/** One state's text, with its rendered ID, chosen function and optional arguments. */
export function emitTemplateState(
  s: StateNode,
  items: readonly (readonly [string, YamlNode])[],
  options: EmitOptions,
): string {
  const optional = new Set(s.optional ?? [])
  const idToken = s.idExpr === undefined ? s.id : ID_MARK
  const funToken = s.funChoice === undefined ? `${s.module}.${s.fun}` : FUN_MARK
  let text: string
  if (optional.size === 0) text = emitState(idToken, funToken, items, options)
  else {
    // each argument in its place, an optional one inside its `if`
    const head = `${emitState(idToken, funToken, [], options).slice(0, -' []\n'.length)}\n`
    text = head
    for (const [key, value] of items) {
      const one = emitState(idToken, funToken, [[key, value]], options).slice(head.length)
      if (!optional.has(key)) {
        text += one
        continue
      }
      const arg = s.args[key]
      const test =
        arg !== null && typeof arg === 'object' && !Array.isArray(arg) ? definedTest(arg as Expr) : 'true'
      text += `{% if ${test} %}\n${one}{% endif %}\n`
    }
  }
  if (s.idExpr !== undefined) text = `{{ ${yamlOf(exprJinja(s.idExpr))} }}${text.slice(ID_MARK.length)}`
  if (s.funChoice !== undefined) {
    const { cond, otherwise } = s.funChoice
    const fun = `${s.module}.{{ ${jinjaLiteral(s.fun)} if (${condJinja(cond)}) else ${jinjaLiteral(otherwise)} }}`
    text = text.replace(`  ${FUN_MARK}:`, `  ${fun}:`)
  }
  return text
}

/** A state's function and arguments without its ID line (written under another state's ID). */
export function functionBlock(text: string): string {
  return text.slice(text.indexOf('\n') + 1)
}
