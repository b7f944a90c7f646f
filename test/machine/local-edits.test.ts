// Local edits through the real CLI and the real Salt, as root, into a throw-away user and store: a managed
// dotfile the user edited since the last apply is reported by plan, kept by apply (unless --force or its
// onLocalEdit policy says overwrite), and backed up first in every case.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/machine/fixture'

describe('local edits (as root, a throw-away user and store)', () => {
  let user: ReturnType<typeof throwawayUser>
  let env: Record<string, string>
  let out: string
  let rc: string
  const apply = (extra: Record<string, string>, ...flags: string[]) => {
    const run = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes', ...flags], {
      ...env,
      ...extra,
    })
    expect(run.status, run.stderr + run.stdout).toBe(0)
    return run
  }
  /** The user edits the file as the user. */
  const edit = (line: string) => execFileSync('su', [user.name, '-c', `echo '${line}' >> ~/.inputrc`])

  beforeAll(() => {
    user = throwawayUser()
    const dir = tempDir('salt-dsl-edits-')
    out = join(dir, 'out')
    rc = join(user.home, '.inputrc')
    env = { MACHINE_USER: user.name, MACHINE_ROOT: join(dir, 'managed'), DSL_STATE_DIR: join(dir, 'state') }
  })
  afterAll(() => user.remove())

  it('plan says "modified locally"; apply keeps the edit and backs it up; --force overwrites', () => {
    apply({})
    edit('set bell-style none')
    const mine = 'set editing-mode vi\nset bell-style none\n'
    // WHEN the config changes the file too THEN plan names the edit and what apply will do
    const plan = dsl(['plan', FIXTURE, '--out', out, '--no-typecheck'], { ...env, MACHINE_VARIANT: 'b' })
    expect(plan.status, plan.stderr).toBe(0)
    expect(plan.stdout).toContain(
      `! modified locally: ~${user.name}/.inputrc: kept (--force overwrites it); your version is backed up to ~${user.name}/.inputrc.local-1 first`,
    )
    // WHEN applied THEN the edit is kept and backed up, while the rest of the change is applied
    const b = apply({ MACHINE_VARIANT: 'b' })
    expect(b.stdout).toContain('modified locally')
    expect(readFileSync(rc, 'utf8')).toBe(mine)
    expect(readFileSync(`${rc}.local-1`, 'utf8')).toBe(mine)
    expect(execFileSync('stat', ['-c', '%U', `${rc}.local-1`], { encoding: 'utf8' }).trim()).toBe(user.name)
    expect(readFileSync(join(env.MACHINE_ROOT!, 'motd'), 'utf8')).toBe('managed by salt-dsl (b)\n')
    // AND it stays the user's on the next apply
    apply({ MACHINE_VARIANT: 'b' })
    expect(readFileSync(rc, 'utf8')).toBe(mine)
    // WHEN forced THEN the config's content is written, after a backup of the user's
    const forced = apply({ MACHINE_VARIANT: 'b' }, '--force')
    expect(forced.stdout).toMatch(
      /modified locally: .*: overwritten; your version is backed up to .*\.local-\d+ first/,
    )
    expect(readFileSync(rc, 'utf8')).toBe('set editing-mode emacs\n')
    const backup = /backed up to ~[^/]+\/(\.inputrc\.local-\d+)/.exec(forced.stdout)?.[1] ?? ''
    expect(readFileSync(join(user.home, backup), 'utf8')).toBe(mine)
  })

  it("onLocalEdit(handle, 'overwrite') (or the dotfile's own option) overwrites an edit, after a backup", () => {
    edit('set show-all-if-ambiguous on')
    execFileSync('su', [user.name, '-c', "echo 'export PAGER=less' >> ~/.profile-dsl"])
    const run = apply({ MACHINE_VARIANT: 'b', MACHINE_OVERWRITE: '1' })
    expect(run.stdout).toMatch(/modified locally: .*: overwritten/)
    expect(readFileSync(rc, 'utf8')).toBe('set editing-mode emacs\n')
    const backup = /backed up to ~[^/]+\/(\.inputrc\.local-\d+)/.exec(run.stdout)?.[1] ?? ''
    expect(existsSync(join(user.home, backup))).toBe(true)
    expect(readFileSync(join(user.home, backup), 'utf8')).toContain('set show-all-if-ambiguous on')
    // dotfile('.profile-dsl', { onLocalEdit: 'overwrite' })
    expect(run.stdout).toMatch(/modified locally: ~[^/]+\/\.profile-dsl: overwritten/)
    expect(readFileSync(join(user.home, '.profile-dsl'), 'utf8')).toBe('export EDITOR=vi\n')
    const saved = /backed up to ~[^/]+\/(\.profile-dsl\.local-\d+)/.exec(run.stdout)?.[1] ?? ''
    expect(readFileSync(join(user.home, saved), 'utf8')).toBe('export EDITOR=vi\nexport PAGER=less\n')
  })

  it('in one run, a kept edit and an overwritten one: each backed up before anything touches it', () => {
    edit('set colored-stats on')
    execFileSync('su', [user.name, '-c', "echo 'export LESS=-R' >> ~/.profile-dsl"])
    const profile = readFileSync(join(user.home, '.profile-dsl'), 'utf8')
    const mine = readFileSync(rc, 'utf8')
    const run = apply({ MACHINE_VARIANT: 'b', MACHINE_OVERWRITE: 'rc' })
    expect(run.stdout).toMatch(/modified locally: ~[^/]+\/\.inputrc: overwritten/)
    expect(run.stdout).toMatch(/modified locally: ~[^/]+\/\.profile-dsl: kept/)
    expect(readFileSync(rc, 'utf8')).toBe('set editing-mode emacs\n')
    expect(readFileSync(join(user.home, '.profile-dsl'), 'utf8')).toBe(profile)
    const backup = /backed up to ~[^/]+\/(\.inputrc\.local-\d+)/.exec(run.stdout)?.[1] ?? ''
    expect(readFileSync(join(user.home, backup), 'utf8')).toBe(mine)
  })
})
