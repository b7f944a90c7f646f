// Validation: read-only checks derived from the declared states; run last, never report changes.
// One SLS per config module and check family (`validation.<family>.<module>`), gathered per module
// (`validation.<module>`, what a profile lists after its own modules), per family and for the whole tree.
import { type DeclaredState, type SlsHandle, sh, sls, text, when } from 'salt-dsl'
import { allInstalled, type CheckSpec, check } from './check.ts'
import {
  type Declared,
  declaredIn,
  diskSpaceTest,
  shellPath,
  syntaxCheck,
  type Target,
  type Val,
} from './derive.ts'
import { opsPillar as p } from './schema.ts'

export const FAMILIES = ['system', 'packages', 'configs', 'services'] as const
export type Family = (typeof FAMILIES)[number]

/** A check to declare: what it checks, and how. */
interface Planned {
  readonly t: Target
  readonly spec: Omit<CheckSpec, 'order'>
}

/** One id per check across the tree: a second module checking the same thing gets its own id. */
class Checks {
  readonly #seen = new Set<string>()
  /** The checks of `planned` not declared yet (a name two states share is checked once per module). */
  fresh(planned: readonly Planned[]): Planned[] {
    const out: Planned[] = []
    for (const { t, spec } of planned) {
      const id = this.#seen.has(spec.id) ? `${spec.id} (${t.state.sls})` : spec.id
      if (this.#seen.has(id)) continue
      this.#seen.add(id)
      out.push({ t, spec: { ...spec, id } })
    }
    return out
  }
}

const declare = ({ t, spec }: Planned) =>
  under(t.state.when, () => check({ ...spec, order: 'last', afterApply: true }))

/** Re-enters the `when()` conditions a state was declared under, so its check exists exactly when it does. */
function under(conds: DeclaredState['when'], body: () => void): void {
  const [first, ...rest] = conds
  if (first === undefined) body()
  else when(first, () => under(rest, body))
}

/** A readable label: the literal name, else the state's id with the entry number. */
const label = (t: Target, i = 0): string => (typeof t.name === 'string' ? t.name : `${t.state.id}[${i}]`)
const show = (v: Val): string => (typeof v === 'string' ? v : text`${v}`)

function packageChecks(found: Declared): Planned[] {
  const out: Planned[] = []
  const checks = { add: (t: Target, spec: Planned['spec']) => out.push({ t, spec }) }
  found.packages.forEach((t, i) => {
    const by = `(declared by '${t.state.id}' in ${t.state.sls})`
    if (t.list === true) {
      checks.add(t, {
        id: `validate: packages of ${t.state.id}`,
        message: text`validation: not every package of ${show(t.name)} is installed ${by}`,
        pass: [allInstalled(t.name)],
      })
      return
    }
    checks.add(t, {
      id: `validate: package ${label(t, i)}`,
      message: text`validation: package ${show(t.name)} is not installed ${by}`,
      pass: [{ fun: 'pkg.version', args: [t.name] }],
    })
  })
  return out
}

function configChecks(found: Declared): Planned[] {
  const out: Planned[] = []
  const checks = { add: (t: Target, spec: Planned['spec']) => out.push({ t, spec }) }
  for (const t of found.files) {
    const f = shellPath(t.name)
    checks.add(t, {
      id: `validate: file ${label(t)}`,
      message: text`validation: ${show(t.name)} is missing or not a regular file`,
      pass: [sh`test -f ${f}`],
    })
    const syntax = typeof t.name === 'string' ? syntaxCheck(t.name) : undefined
    if (syntax === undefined) continue
    checks.add(t, {
      id: `validate: ${syntax.tool} syntax ${label(t)}`,
      message: `validation: ${t.name} does not pass ${syntax.tool}'s syntax check (${syntax.check(f)})`,
      pass: [syntax.check(f)],
      when: [sh`command -v ${syntax.tool} >/dev/null 2>&1`, sh`test -f ${f}`],
    })
  }
  for (const t of found.symlinks) {
    checks.add(t, {
      id: `validate: symlink ${label(t)}`,
      message: text`validation: ${show(t.name)} is not a symlink to ${show(t.target)}`,
      pass: [sh`test "$(readlink ${shellPath(t.name)})" = ${t.target}`],
    })
  }
  return out
}

function serviceChecks(found: Declared): Planned[] {
  const out: Planned[] = []
  const checks = { add: (t: Target, spec: Planned['spec']) => out.push({ t, spec }) }
  for (const t of found.services.filter((s) => s.running)) {
    checks.add(t, {
      id: `validate: service ${label(t)}`,
      message: text`validation: service ${show(t.name)} is not running`,
      pass: [{ fun: 'service.status', args: [t.name] }],
    })
  }
  return out
}

function systemChecks(found: Declared): Planned[] {
  const out: Planned[] = []
  const checks = { add: (t: Target, spec: Planned['spec']) => out.push({ t, spec }) }
  for (const t of found.users) {
    checks.add(t, {
      id: `validate: user ${label(t)}`,
      message: text`validation: user ${show(t.name)} does not exist`,
      pass: [{ fun: 'user.info', args: [t.name] }],
    })
  }
  for (const t of found.groups) {
    checks.add(t, {
      id: `validate: group ${label(t)}`,
      message: text`validation: group ${show(t.name)} does not exist`,
      pass: [{ fun: 'group.info', args: [t.name] }],
    })
  }
  for (const t of found.directories) {
    checks.add(t, {
      id: `validate: directory ${label(t)}`,
      message: text`validation: ${show(t.name)} is not a directory`,
      pass: [sh`test -d ${shellPath(t.name)}`],
    })
  }
  return out
}

const CHECKS: Record<Family, (found: Declared) => Planned[]> = {
  system: systemChecks,
  packages: packageChecks,
  configs: configChecks,
  services: serviceChecks,
}

/** Checks of the machine as a whole, whatever its modules: disk space left after the run. */
function hostSls(): SlsHandle {
  return sls(
    'validation.host',
    () => {
      const pre = p.ops.preflight
      check({
        id: 'validate: disk space',
        message: text`validation: less than ${pre.min_disk_mb} MB left under ${pre.disk_path} after the run`,
        pass: [diskSpaceTest(pre.disk_path, pre.min_disk_mb)],
        order: 'last',
        afterApply: true,
      })
    },
    { doc: 'Validation of the machine as a whole: disk space left after the run.' },
  )
}

export interface Validation {
  /** The whole tree: every family of every module, and the host checks. */
  readonly all: SlsHandle
  readonly host: SlsHandle
  /** Each family over every module (`validation.packages`, ...). */
  readonly families: Readonly<Record<Family, SlsHandle>>
  /** `validation.<module>` of each config module with something to check. */
  readonly byModule: ReadonlyMap<string, SlsHandle>
}

/** Declares the validation SLS of `modules` (the config's own, in declaration order). */
export function validationSls(found: Declared, modules: readonly string[]): Validation {
  const checks = new Checks()
  const leaves: Record<Family, SlsHandle[]> = { system: [], packages: [], configs: [], services: [] }
  const byModule = new Map<string, SlsHandle>()
  for (const mod of modules) {
    const mine = declaredIn(found, mod)
    const own: SlsHandle[] = []
    for (const family of FAMILIES) {
      const planned = checks.fresh(CHECKS[family](mine))
      if (planned.length === 0) continue
      const leaf = sls(`validation.${family}.${mod}`, () => planned.forEach(declare), {
        doc: `Validation (${family}) of what ${mod} declares.`,
      })
      own.push(leaf)
      leaves[family].push(leaf)
    }
    if (own.length === 0) continue
    byModule.set(
      mod,
      sls(`validation.${mod}`, () => {}, { doc: `Validation of ${mod}.`, include: own }),
    )
  }
  const host = hostSls()
  const family = (f: Family, extra: SlsHandle[] = []) =>
    sls(`validation.${f}`, () => {}, {
      doc: `Validation (${f}) of every module of the tree.`,
      include: [...leaves[f], ...extra],
    })
  const families = {
    system: family('system', [host]),
    packages: family('packages'),
    configs: family('configs'),
    services: family('services'),
  }
  const all = sls('validation', () => {}, {
    doc: 'Validation: every declared package, config file, symlink, service, user and directory, checked read-only.',
    include: [...Object.values(families)],
  })
  return { all, host, families, byModule }
}
