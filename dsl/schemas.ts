/**
 * Argument checks per state function: what the builders' types promise, enforced on the recorded values
 * (for JavaScript callers, casts and values computed at run time). Read by the compiler's graph stage.
 */
import { z } from 'zod'
import { isExpr } from './ir.ts'

/**
 * A rule is a zod schema together with a predicate that accepts a subset of what the schema accepts,
 * without allocating: the graph stage tries the predicate first and asks zod (for its messages) only
 * when it says no. A test checks, on generated values, that the predicate never accepts what zod rejects.
 */
export interface Rule {
  readonly zod: z.ZodType
  readonly ok: (v: unknown) => boolean
}
const rule = (zod: z.ZodType, ok: (v: unknown) => boolean): Rule => ({ zod, ok })

const exprZod = z.custom<unknown>((v) => isExpr(v), 'a lookup')
/** A literal that must match `r`, or a pillar/grains lookup (checked when the pillar resolves). */
const lit = (r: Rule) => rule(z.union([r.zod, exprZod]), (v) => r.ok(v) || isExpr(v))
// an optional argument given as null is Salt's None, every such argument's default (`addusers: ~`)
const optional = (r: Rule) => rule(r.zod.nullish(), (v) => v === undefined || v === null || r.ok(v))
const arrayOf = (r: Rule, min = 0) =>
  rule(z.array(r.zod).min(min), (v) => Array.isArray(v) && v.length >= min && v.every(r.ok))
const string = rule(z.string(), (v) => typeof v === 'string')
const boolean = rule(z.boolean(), (v) => typeof v === 'boolean')
const matching = (re: RegExp, message: string) =>
  rule(z.string().regex(re, message), (v) => typeof v === 'string' && re.test(v))
const intUpTo = (max: number) =>
  rule(
    z.number().int().min(0).max(max),
    (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max,
  )

const text = rule(z.string().min(1, 'must not be empty'), (v) => typeof v === 'string' && v.length > 0)
const union = (a: Rule, b: Rule) => rule(z.union([a.zod, b.zod]), (v) => a.ok(v) || b.ok(v))
const oneOrMany = lit(union(text, arrayOf(lit(text), 1)))
const OCTAL_DIGITS = /^[0-7]{1,4}$/
// octal(644) records the integer Salt's YAML would hold (file-mode.ts); a plain number is already the string
const octalDigits = rule(
  z
    .number()
    .int()
    .refine((v) => OCTAL_DIGITS.test(String(v)), 'must be octal digits, e.g. octal(644)'),
  (v) => typeof v === 'number' && Number.isSafeInteger(v) && OCTAL_DIGITS.test(String(v)),
)
const mode = lit(
  union(matching(/^0?[0-7]{3,4}$/, "must be an octal mode as a string, e.g. '0644'"), octalDigits),
)
const account = lit(matching(/^[a-z_][a-z0-9_.-]*\$?$/i, 'must be a valid user or group name'))
const isPath = (p: string) => p.startsWith('/') || /^~[a-z_][a-z0-9_.-]*(\/|$)/i.test(p)
const path = lit(
  rule(
    z.string().refine(isPath, 'must be an absolute path or ~user/...'),
    (v) => typeof v === 'string' && isPath(v),
  ),
)
const port = rule(z.number().int().min(0), (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)
const cronField = (max: number) =>
  lit(union(intUpTo(max), matching(/^(\*|[0-9,\-/*]+|random)$/, 'must be a cron field')))

/** A map of arguments: the given keys checked, any other key allowed (Salt's own checks cover those). */
function args(
  shape: Record<string, Rule>,
  refine?: { test: (a: Record<string, unknown>) => boolean; message: string },
): Rule {
  const zodShape = Object.fromEntries(Object.entries(shape).map(([k, r]) => [k, r.zod]))
  const base = z.object(zodShape).loose()
  const zod = refine ? base.refine((a) => refine.test(a), refine.message) : base
  const entries = Object.entries(shape)
  const ok = (v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
    const a = v as Record<string, unknown>
    for (const [k, r] of entries) if (!r.ok(a[k])) return false
    return refine === undefined || refine.test(a)
  }
  return rule(zod, ok)
}

const owned = {
  user: optional(account),
  group: optional(account),
  mode: optional(mode),
  makedirs: optional(lit(boolean)),
}
const managed = args(
  { name: path, ...owned, contents: optional(lit(string)), source: optional(oneOrMany) },
  {
    test: (a) => !(a.contents !== undefined && a.source !== undefined),
    message: 'give either `contents` or `source`, not both',
  },
)
const packages = args({ name: optional(lit(text)), pkgs: optional(lit(arrayOf(lit(text), 1))) })
const serviceArgs = args({ name: lit(text), enable: optional(lit(boolean)) })

export const STATE_RULES: Readonly<Record<string, Rule>> = {
  'pkg.installed': packages,
  'pkg.latest': packages,
  'pkg.removed': packages,
  'pkg.purged': packages,
  'file.managed': managed,
  'file.directory': args({ name: path, ...owned, dir_mode: optional(mode), file_mode: optional(mode) }),
  'file.symlink': args({ name: path, target: lit(text), user: optional(account), group: optional(account) }),
  'file.absent': args({ name: path }),
  'file.copy': args({ name: path, source: path }),
  'file.blockreplace': args({
    name: path,
    content: lit(string),
    marker_start: lit(text),
    marker_end: lit(text),
  }),
  'service.running': serviceArgs,
  'service.dead': serviceArgs,
  'user.present': args({
    name: account,
    uid: optional(lit(port)),
    home: optional(path),
    shell: optional(path),
    groups: optional(arrayOf(account)),
  }),
  'user.absent': args({ name: account }),
  'group.present': args({ name: account, gid: optional(lit(port)), addusers: optional(arrayOf(account)) }),
  'group.absent': args({ name: account }),
  'cmd.run': args({
    name: lit(text),
    unless: optional(oneOrMany),
    onlyif: optional(oneOrMany),
    creates: optional(oneOrMany),
  }),
  'git.latest': args({ name: lit(text), target: path, user: optional(account) }),
  'pkgrepo.managed': args({ name: lit(text) }),
  'cron.present': args({
    name: lit(text),
    user: optional(account),
    minute: optional(cronField(59)),
    hour: optional(cronField(23)),
    daymonth: optional(cronField(31)),
    month: optional(cronField(12)),
    dayweek: optional(cronField(7)),
  }),
  'archive.extracted': args({ name: path, source: lit(text) }),
}

/**
 * Functions that change the machine every time they run unless guarded: Salt's `test=True` cannot predict
 * them, and a converged re-apply still reports a change. Listed with the arguments that guard them.
 */
const COMMAND_GUARDS = [
  'unless',
  'onlyif',
  'creates',
  'onchanges',
  'onchanges_any',
  'onfail',
  'onfail_any',
  'prereq',
  'stateful',
]
export const NEEDS_GUARD: Readonly<Record<string, readonly string[]>> = {
  'cmd.run': COMMAND_GUARDS,
  'cmd.script': COMMAND_GUARDS,
}
