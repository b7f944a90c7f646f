/**
 * Argument checks per state function: what the builders' types promise, enforced on the recorded values
 * (for JavaScript callers, casts and values computed at run time). Read by the compiler's graph stage.
 */
import { z } from 'zod'
import { isExpr } from './ir.ts'

const expr = z.custom<unknown>((v) => isExpr(v), 'a lookup')
/** A literal that must match `schema`, or a pillar/grains lookup (checked when the pillar resolves). */
const lit = <T extends z.ZodType>(schema: T) => z.union([schema, expr])

const text = z.string().min(1, 'must not be empty')
const oneOrMany = lit(z.union([text, z.array(lit(text)).min(1)]))
const mode = lit(z.string().regex(/^0?[0-7]{3,4}$/, "must be an octal mode as a string, e.g. '0644'"))
const account = lit(z.string().regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'must be a valid user or group name'))
const path = lit(
  z
    .string()
    .refine(
      (p) => p.startsWith('/') || /^~[a-z_][a-z0-9_.-]*(\/|$)/i.test(p),
      'must be an absolute path or ~user/...',
    ),
)
const port = z.number().int().min(0)
const cronField = (max: number) =>
  lit(
    z.union([
      z.number().int().min(0).max(max),
      z.string().regex(/^(\*|[0-9,\-/*]+|random)$/, 'must be a cron field'),
    ]),
  )

const owned = {
  user: account.optional(),
  group: account.optional(),
  mode: mode.optional(),
  makedirs: lit(z.boolean()).optional(),
}
const managed = z
  .object({ name: path, ...owned, contents: lit(z.string()).optional(), source: lit(text).optional() })
  .loose()
  .refine(
    (a) => !(a.contents !== undefined && a.source !== undefined),
    'give either `contents` or `source`, not both',
  )

export const STATE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'pkg.installed': z
    .object({ name: lit(text).optional(), pkgs: lit(z.array(lit(text)).min(1)).optional() })
    .loose(),
  'pkg.latest': z
    .object({ name: lit(text).optional(), pkgs: lit(z.array(lit(text)).min(1)).optional() })
    .loose(),
  'pkg.removed': z
    .object({ name: lit(text).optional(), pkgs: lit(z.array(lit(text)).min(1)).optional() })
    .loose(),
  'pkg.purged': z
    .object({ name: lit(text).optional(), pkgs: lit(z.array(lit(text)).min(1)).optional() })
    .loose(),
  'file.managed': managed,
  'file.directory': z
    .object({ name: path, ...owned, dir_mode: mode.optional(), file_mode: mode.optional() })
    .loose(),
  'file.symlink': z
    .object({ name: path, target: lit(text), user: account.optional(), group: account.optional() })
    .loose(),
  'file.absent': z.object({ name: path }).loose(),
  'file.copy': z.object({ name: path, source: path }).loose(),
  'file.blockreplace': z
    .object({ name: path, content: lit(z.string()), marker_start: lit(text), marker_end: lit(text) })
    .loose(),
  'service.running': z.object({ name: lit(text), enable: lit(z.boolean()).optional() }).loose(),
  'service.dead': z.object({ name: lit(text), enable: lit(z.boolean()).optional() }).loose(),
  'user.present': z
    .object({
      name: account,
      uid: lit(port).optional(),
      home: path.optional(),
      shell: path.optional(),
      groups: z.array(account).optional(),
    })
    .loose(),
  'user.absent': z.object({ name: account }).loose(),
  'group.present': z
    .object({ name: account, gid: lit(port).optional(), addusers: z.array(account).optional() })
    .loose(),
  'group.absent': z.object({ name: account }).loose(),
  'cmd.run': z
    .object({
      name: lit(text),
      unless: oneOrMany.optional(),
      onlyif: oneOrMany.optional(),
      creates: oneOrMany.optional(),
    })
    .loose(),
  'git.latest': z.object({ name: lit(text), target: path, user: account.optional() }).loose(),
  'pkgrepo.managed': z.object({ name: lit(text) }).loose(),
  'cron.present': z
    .object({
      name: lit(text),
      user: account.optional(),
      minute: cronField(59).optional(),
      hour: cronField(23).optional(),
      daymonth: cronField(31).optional(),
      month: cronField(12).optional(),
      dayweek: cronField(7).optional(),
    })
    .loose(),
  'archive.extracted': z.object({ name: path, source: lit(text) }).loose(),
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
