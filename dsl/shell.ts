import { exprOf, type Lookup } from './expr.ts'
import { EXPR, type Expr } from './ir.ts'
import { callSite } from './origin.ts'
import { type NoSecrets, refuseSecretParts } from './secret.ts'
import { addIssue } from './session.ts'

/** Marks shell text that `sh` inserts as it is (see `shellRaw`). */
const RAW = Symbol.for('salt-dsl.shell-raw')

/** Shell text `sh` inserts unquoted: syntax or words someone already quoted. */
export interface ShellRaw {
  readonly [RAW]: string | Expr
}

/** Characters Python's `shlex.quote` leaves bare (ASCII only, as its `re.ASCII`; Salt's `quote` filter). */
const SAFE_WORD = /^[\w@%+=:,./-]+$/

/**
 * One shell word holding exactly `value`, as Python's `shlex.quote` (Salt's Jinja `quote` filter) writes
 * it: bare when only safe characters, else single-quoted with each `'` written as `'"'"'`.
 */
export function shellQuote(value: string): string {
  if (value === '') return "''"
  if (SAFE_WORD.test(value)) return value
  return `'${value.replace(/'/g, `'"'"'`)}'`
}

/** A user name that is a plain word, safe after `~` and as Salt's `runas`. */
export const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/

/**
 * Inserts `text` into an `sh` command as it is: shell syntax, or a word quoted already (a nested `sh`).
 * @example
 * sh`${shellRaw('set -e;')} rm -f ${file}` // set -e; rm -f '/tmp/a b'
 */
export function shellRaw(text: string | Expr | ShellRaw): ShellRaw {
  if (isRaw(text)) return text
  return Object.freeze({ [RAW]: exprOf(text) ?? (text as string) })
}

/**
 * A path in a user's home as one shell word: `~user/` left bare so the shell expands it, the rest quoted.
 * @example
 * sh`test -f ${homePath('ada', '.my config')}` // test -f ~ada/'.my config'
 */
export function homePath(user: string, path: string): ShellRaw {
  const rest = path.replace(/^\/+/, '')
  return shellRaw(rest === '' ? `~${user}` : `~${user}/${quoteAlways(rest)}`)
}

const quoteAlways = (value: string): string => `'${value.replace(/'/g, `'"'"'`)}'`

const isRaw = (value: unknown): value is ShellRaw =>
  value !== null && typeof value === 'object' && RAW in (value as object)

/**
 * A shell command whose every interpolated value is one quoted word: literals are quoted now, pillar and
 * grains lookups by Salt after it renders them (Jinja's `| quote`), so no value can add shell syntax. A
 * list becomes one word per entry; `shellRaw()` and `homePath()` insert text as it is.
 * @example
 * sh`grep -q ${pillar.git.email} ${'/home/a b/.gitconfig'}`
 * // {{ ("grep -q " ~ (salt['pillar.get']("git:email") | string | quote) ~ " '/home/a b/.gitconfig'") }}
 */
export function sh<V extends readonly unknown[]>(
  strings: TemplateStringsArray,
  ...values: V & NoSecrets<V>
): string & Lookup<string> {
  if (refuseSecretParts(values, 'sh`...`', () => callSite(sh))) return '' as string & Lookup<string>
  const parts: (string | Expr)[] = []
  const push = (part: string | Expr) => {
    const last = parts.at(-1)
    if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part
    else if (part !== '') parts.push(part)
  }
  const word = (value: unknown): void => {
    const expr = isRaw(value) ? undefined : exprOf(value)
    if (isRaw(value)) {
      const raw = value[RAW]
      if (typeof raw === 'string') push(raw)
      else if (raw.kind === 'concat') raw.parts.forEach(push)
      else push(raw)
    } else if (expr !== undefined) push(Object.freeze({ [EXPR]: true as const, kind: 'quoted', expr }))
    else if (typeof value === 'string') push(shellQuote(value))
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
      push(shellQuote(String(value)))
    else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (i > 0) push(' ')
        word(item)
      })
    } else {
      addIssue(
        'DSL1022',
        `sh\`...\` cannot make a shell word of ${value === null ? 'null' : typeof value}`,
        callSite(sh),
        'interpolate strings, numbers, lists of them, pillar or grains lookups, or shellRaw() text',
      )
    }
  }
  strings.forEach((literal, i) => {
    push(literal)
    if (i < values.length) word(values[i])
  })
  if (parts.every((p) => typeof p === 'string')) return parts.join('') as string & Lookup<string>
  return Object.freeze({
    [EXPR]: true as const,
    kind: 'concat' as const,
    parts: Object.freeze(parts),
  }) as never
}
