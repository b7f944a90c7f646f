// Arguments a hand-written state gives that the pinned Salt's function does not name: a function taking
// `**kwargs` passes them on, and state() writes them in `extra` (in the place the first of them was); one
// without `**kwargs` cannot take them, and its SLS stays Salt.
import { GLOBAL_STATE_ARGS, lookupStateFunction } from '../dsl/catalog/index.ts'
import { REQUISITE_KEY } from './cross-sls.ts'

/** The arguments of `module.fun` among `keys` that Salt's catalog does not name (in their order). */
export function passedOn(module: string, fun: string, keys: readonly string[]): string[] {
  const entry = lookupStateFunction(`${module}.${fun}`)
  if (entry === undefined || entry.anyKwargs) return []
  return keys.filter(
    (k) =>
      k !== 'name' &&
      k !== 'order' &&
      k !== 'failhard' &&
      !REQUISITE_KEY.test(k) &&
      !entry.params.includes(k) &&
      !entry.documented.includes(k) &&
      !GLOBAL_STATE_ARGS.has(k) &&
      !(entry.dottedKwargs && k.includes('.')),
  )
}

/** Why the passed-on arguments of `module.fun` cannot be written, or undefined when `extra` writes them. */
export function passedOnReason(module: string, fun: string, keys: readonly string[]): string | undefined {
  const extra = passedOn(module, fun, keys)
  if (extra.length === 0) return undefined
  if (lookupStateFunction(`${module}.${fun}`)?.kwargs !== true)
    return `${extra.map((k) => `'${k}'`).join(', ')}: not an argument of ${module}.${fun} in the pinned Salt`
  const first = keys.indexOf(extra[0] as string)
  if (keys.slice(first, first + extra.length).join() !== extra.join())
    return `${extra.map((k) => `'${k}'`).join(', ')} (passed on by ${module}.${fun}) are not written together: state() writes them in one \`extra\``
  return undefined
}
