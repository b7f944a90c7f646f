// Prune and moves through the real CLI and the real Salt, as root, into a throw-away user, directory and
// store: a state gone from the config is undone by the next apply (and by a rollback), shown by the plan
// first; a state renamed with moved() is neither removed nor re-created.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/machine/fixture'
const SOURCE = readFileSync(join(REPO, FIXTURE, 'index.ts'), 'utf8').split('\n')
const at = (text: string) => `${FIXTURE}/index.ts:${SOURCE.findIndex((l) => l.includes(text)) + 1}`

describe('prune and moves (as root, a throw-away user and store)', () => {
  let user: ReturnType<typeof throwawayUser>
  let env: Record<string, string>
  let out: string
  let root: string
  const build = (extra: Record<string, string> = {}) => ({ ...env, ...extra })
  const apply = (extra: Record<string, string> = {}) => {
    const run = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes'], build(extra))
    expect(run.status, run.stderr + run.stdout).toBe(0)
    return run
  }
  const plan = (extra: Record<string, string> = {}) =>
    dsl(['plan', FIXTURE, '--out', out, '--no-typecheck'], build(extra))

  beforeAll(() => {
    user = throwawayUser()
    // the user's own ~/.profile-dsl: the first apply keeps it as ~/.profile-dsl.pre-dsl
    writeFileSync(join(user.home, '.profile-dsl'), '# mine\n')
    execFileSync('chown', [`${user.name}:${user.name}`, join(user.home, '.profile-dsl')])
    const dir = tempDir('salt-dsl-prune-')
    root = join(dir, 'managed')
    out = join(dir, 'out')
    env = { MACHINE_USER: user.name, MACHINE_ROOT: root, DSL_STATE_DIR: join(dir, 'state') }
  })
  afterAll(() => user.remove())

  const profile = () => join(user.home, '.profile-dsl')

  it('a state gone from the config is shown by plan, then undone by apply; its backup is put back', () => {
    apply()
    expect(readFileSync(profile(), 'utf8')).toBe('export EDITOR=vi\n')
    expect(readFileSync(`${profile()}.pre-dsl`, 'utf8')).toBe('# mine\n')
    expect(existsSync(join(root, 'extra'))).toBe(true)

    // WHEN the dotfile and the file leave the config THEN plan shows their removal at their old lines
    const shown = plan({ MACHINE_PRUNE: '1' })
    expect(shown.status, shown.stderr).toBe(0)
    expect(shown.stdout).toContain(`- remove file.absent ~${user.name}/.profile-dsl  ${at("'.profile-dsl'")}`)
    expect(shown.stdout).toContain(`- remove file.absent ${root}/extra  ${at('/extra`')}`)
    expect(shown.stdout).toMatch(/Plan: 0 to create, 0 to change, 2 to remove/)
    expect(readFileSync(profile(), 'utf8')).toBe('export EDITOR=vi\n') // a plan changes nothing

    // WHEN applied THEN Salt removed them and moved the user's own file back, still the user's
    apply({ MACHINE_PRUNE: '1' })
    expect(readFileSync(profile(), 'utf8')).toBe('# mine\n')
    expect(existsSync(`${profile()}.pre-dsl`)).toBe(false)
    expect(execFileSync('stat', ['-c', '%U', profile()], { encoding: 'utf8' }).trim()).toBe(user.name)
    expect(existsSync(join(root, 'extra'))).toBe(false)
    // AND the next plan has nothing left to remove
    expect(plan({ MACHINE_PRUNE: '1' }).stdout).toMatch(/Plan: 0 to create, 0 to change, 0 to remove/)
  })

  it('a rollback removes what the later generation added', () => {
    // generation 3 adds the dotfile and the file back; rolling back to 2 (without them) removes them
    apply()
    expect(existsSync(join(root, 'extra'))).toBe(true)
    expect(readFileSync(profile(), 'utf8')).toBe('export EDITOR=vi\n')
    const back = dsl(['rollback', '2', '--yes'], env)
    expect(back.status, back.stderr + back.stdout).toBe(0)
    expect(back.stdout).toContain(`- remove file.absent ${root}/extra`)
    expect(back.stdout).toContain('recorded generation 4 (rollback of 2)')
    expect(existsSync(join(root, 'extra'))).toBe(false)
    expect(readFileSync(profile(), 'utf8')).toBe('# mine\n')
  })

  it('a state renamed with moved() is neither removed nor re-created; without moved() it is removed', () => {
    apply()
    const renamed = plan({ MACHINE_MOVE: '1' })
    expect(renamed.status, renamed.stderr).toBe(0)
    expect(renamed.stdout).not.toMatch(/^[-+] (remove|create)/m)
    expect(renamed.stdout).toMatch(/Plan: 0 to create, 0 to change, 0 to remove/)
    // the same rename, unsaid: the old ID is pruned (and the new state writes the file again)
    const unsaid = plan({ MACHINE_MOVE: '2' })
    expect(unsaid.stdout).toContain(`- remove file.absent ~${user.name}/.inputrc`)
    // applied with moved(): the file stays as it is, and the store now knows the new ID
    apply({ MACHINE_MOVE: '1' })
    expect(readFileSync(join(user.home, '.inputrc'), 'utf8')).toBe('set editing-mode vi\n')
    expect(plan({ MACHINE_MOVE: '1' }).stdout).toMatch(/Plan: 0 to create, 0 to change, 0 to remove/)
  })

  it('a package is removed only where the prune policy says so (planned only: nothing is removed here)', () => {
    // a store of its own, and a package this host has: the apply installs nothing
    const store = { ...env, DSL_STATE_DIR: join(tempDir('salt-dsl-prune-pkg-'), 'state') }
    const applied = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes'], {
      ...store,
      MACHINE_PKG: '1',
    })
    expect(applied.status, applied.stderr + applied.stdout).toBe(0)
    const kept = dsl(['plan', FIXTURE, '--out', out, '--no-typecheck'], store)
    expect(kept.stdout).toContain('  left on the machine: pkg.installed coreutils (packages are not removed')
    expect(kept.stdout).not.toContain('pkg.removed')
    const removed = dsl(['plan', FIXTURE, '--out', out, '--no-typecheck'], {
      ...store,
      MACHINE_PKG_PRUNE: '1',
    })
    expect(removed.stdout).toContain(`- remove pkg.removed coreutils  ${at("pkg('coreutils')")}`)
  })
})
