import { type Condition, toCond } from './expr.ts'
import { isSlsHandle, SLS, type SlsHandle } from './handle.ts'
import type { SlsNode } from './ir.ts'
import { callSite } from './origin.ts'
import { addIssue, register, session } from './session.ts'

const NAME_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/

export interface SlsOptions {
  /** A comment written at the top of the emitted file. */
  readonly doc?: string
  /** SLS modules to include even when no requisite points into them. */
  readonly include?: readonly SlsHandle[]
}

/**
 * Groups the states declared in `body` into one SLS module.
 * @example
 * export const git = sls('dev.git', () => { pkg('git') })
 * // out/salt/dev/git.sls:
 * // git:
 * //   pkg.installed: []
 */
export function sls(name: string, body: () => void, options: SlsOptions = {}): SlsHandle {
  const origin = callSite(sls)
  const s = session()
  if (!NAME_RE.test(name)) {
    addIssue(
      'DSL1007',
      `'${name}' is not a valid SLS name`,
      origin,
      'use dotted names of letters, digits, _ and -, e.g. dev.git',
    )
  }
  if (s.current !== undefined) {
    addIssue(
      'DSL1008',
      `sls('${name}') is nested inside sls('${s.current.name}')`,
      origin,
      'declare SLS modules side by side',
    )
  }
  const includes = (options.include ?? []).filter(isSlsHandle).map((h) => h.name)
  const node: SlsNode = Object.freeze({
    kind: 'sls',
    name,
    doc: options.doc,
    includes: Object.freeze(includes),
    origin,
  })
  register(s, { kind: 'sls', node })
  const outer = s.current
  s.current = node
  try {
    body()
  } finally {
    s.current = outer
  }
  return Object.freeze({ [SLS]: name, name })
}

/**
 * Declares the states in `body` only where `cond` holds when Salt renders the SLS (a Jinja `if`).
 * @example
 * when(pillar.features.install_fonts, () => { pkg('fonts-firacode') })
 * // {% if salt['pillar.get']('features:install_fonts') %} ... {% endif %}
 */
export function when(cond: Condition, body: () => void): void {
  const s = session()
  s.when.push(toCond(cond))
  try {
    body()
  } finally {
    s.when.pop()
  }
}
