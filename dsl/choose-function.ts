// A state function Salt picks when it renders: `pkgrepo.managed` where a pillar flag holds, else
// `pkgrepo.absent`, under one ID (no second state, no when()/not() pair).
import { type Condition, toCond } from './expr.ts'
import type { Cond } from './ir.ts'

/** The choices made so far, by the boxed string `choose` returned. */
const CHOICES = new WeakMap<object, { readonly cond: Cond; readonly otherwise: string }>()

/**
 * `then` where `cond` holds when Salt renders the SLS, else `otherwise`: for a builder's `ensure`, or the
 * function of `state()`. Typed as `then` (its arguments are the ones checked); `otherwise` receives the same
 * arguments, so pick one that takes them (Salt's `absent` functions take `**kwargs`).
 * @example
 * pkgrepo('deb https://nginx.org/packages/debian bookworm nginx', { ensure: choose(pillar.nginx.use_repo, 'managed', 'absent') })
 * // deb https://nginx.org/packages/debian bookworm nginx:
 * //   pkgrepo.{{ "managed" if (salt['pillar.get']("nginx:use_repo")) else "absent" }}: []
 */
export function choose<const A extends string, const B extends string>(
  cond: Condition,
  then: A,
  otherwise: B,
): A {
  // a String object: it reads as `then` wherever a string is expected, and carries the choice
  const boxed = new String(then)
  CHOICES.set(boxed, { cond: toCond(cond), otherwise })
  return Object.freeze(boxed) as unknown as A
}

/** The choice `fun` carries (undefined for a plain function name), with `otherwise` without its module. */
export function choiceOf(fun: unknown): { readonly cond: Cond; readonly otherwise: string } | undefined {
  if (fun === null || typeof fun !== 'object') return undefined
  const choice = CHOICES.get(fun)
  if (choice === undefined) return undefined
  const dot = choice.otherwise.lastIndexOf('.')
  return dot === -1 ? choice : { cond: choice.cond, otherwise: choice.otherwise.slice(dot + 1) }
}

/** `fn` (a `module.function` name) cut to its function, keeping the choice it carries. */
export function functionPart(fn: string, dot: number): string {
  const choice = fn !== null && typeof fn === 'object' ? CHOICES.get(fn) : undefined
  const fun = fn.slice(dot + 1)
  if (choice === undefined) return fun
  const boxed = new String(fun)
  CHOICES.set(boxed, choice)
  return boxed as unknown as string
}
