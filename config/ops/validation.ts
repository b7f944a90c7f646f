// Validation: read-only checks derived from the declared states; run last, never report changes.
import { type DeclaredState, type SlsHandle, sls, text, when } from 'salt-dsl'
import { type CheckSpec, check } from './check.ts'
import { type Declared, shellPath, syntaxCheck, type Target, type Val } from './derive.ts'
import { opsPillar as p } from './schema.ts'

/** One id per check: a name that appears twice (two states, one package) is checked once. */
class Checks {
  readonly #seen = new Set<string>()
  add(t: Target, spec: Omit<CheckSpec, 'order'>): void {
    if (this.#seen.has(spec.id)) return
    this.#seen.add(spec.id)
    under(t.state.when, () => check({ ...spec, order: 'last' }))
  }
}

/** Re-enters the `when()` conditions a state was declared under, so its check exists exactly when it does. */
function under(conds: DeclaredState['when'], body: () => void): void {
  const [first, ...rest] = conds
  if (first === undefined) body()
  else when(first, () => under(rest, body))
}

/** A readable label: the literal name, else the state's id with the entry number. */
const label = (t: Target, i = 0): string => (typeof t.name === 'string' ? t.name : `${t.state.id}[${i}]`)
const show = (v: Val): string => (typeof v === 'string' ? v : text`${v}`)

export function validationSls(
  found: Declared,
): Record<'system' | 'packages' | 'configs' | 'services' | 'all', SlsHandle> {
  const packages = sls('validation.packages', () => {
    const checks = new Checks()
    found.packages.forEach((t, i) => {
      checks.add(t, {
        id: `validate: package ${label(t, i)}`,
        message: text`validation: package ${show(t.name)} is not installed (declared by '${t.state.id}' in ${t.state.sls})`,
        pass: [{ fun: 'pkg.version', args: [t.name] }],
      })
    })
  })
  const configs = sls('validation.configs', () => {
    const checks = new Checks()
    for (const t of found.files) {
      const f = shellPath(t.name)
      checks.add(t, {
        id: `validate: file ${label(t)}`,
        message: text`validation: ${show(t.name)} is missing or not a regular file`,
        pass: [text`test -f ${f}`],
      })
      const syntax = typeof t.name === 'string' ? syntaxCheck(t.name) : undefined
      if (syntax === undefined) continue
      checks.add(t, {
        id: `validate: ${syntax.tool} syntax ${label(t)}`,
        message: `validation: ${t.name} does not pass ${syntax.tool}'s syntax check (${syntax.check(f)})`,
        pass: [syntax.check(f)],
        when: [`command -v ${syntax.tool} >/dev/null 2>&1`, `test -f ${f}`],
      })
    }
    for (const t of found.symlinks) {
      checks.add(t, {
        id: `validate: symlink ${label(t)}`,
        message: text`validation: ${show(t.name)} is not a symlink to ${show(t.target)}`,
        pass: [text`test "$(readlink ${shellPath(t.name)})" = ${shellPath(t.target)}`],
      })
    }
  })
  const services = sls('validation.services', () => {
    const checks = new Checks()
    for (const t of found.services.filter((s) => s.running)) {
      checks.add(t, {
        id: `validate: service ${label(t)}`,
        message: text`validation: service ${show(t.name)} is not running`,
        pass: [{ fun: 'service.status', args: [t.name] }],
      })
    }
  })
  const system = sls('validation.system', () => {
    const checks = new Checks()
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
        pass: [text`test -d ${shellPath(t.name)}`],
      })
    }
    const pre = p.ops.preflight
    check({
      id: 'validate: disk space',
      message: text`validation: less than ${pre.min_disk_mb} MB left under ${pre.disk_path} after the run`,
      pass: [
        text`test "$(df -Pk '${pre.disk_path}' | awk 'NR==2 {print $4}')" -ge "$(( ${pre.min_disk_mb} * 1024 ))"`,
      ],
      order: 'last',
    })
  })
  const all = sls('validation', () => {}, {
    doc: 'Validation: every declared package, config file, symlink, service, user and directory, checked read-only.',
    include: [system, packages, configs, services],
  })
  return { system, packages, configs, services, all }
}
