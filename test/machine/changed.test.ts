// `dsl apply --changed` through the real CLI and the real Salt, as root, into a throw-away user, directory
// and store: only the states whose rendered form differs from the last generation run, with what their
// requisites pull in (a required directory, a prereq backup, an onchanges command).
import { appendFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/machine/fixture'

describe('apply --changed (as root, a throw-away user and store)', () => {
  let user: ReturnType<typeof throwawayUser>
  let env: Record<string, string>
  let out: string
  let root: string
  const apply = (extra: Record<string, string>, ...flags: string[]) => {
    const run = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes', ...flags], {
      ...env,
      ...extra,
    })
    expect(run.status, run.stderr + run.stdout).toBe(0)
    return run
  }

  beforeAll(() => {
    user = throwawayUser()
    const dir = tempDir('salt-dsl-changed-')
    out = join(dir, 'out')
    root = join(dir, 'managed')
    env = {
      MACHINE_USER: user.name,
      MACHINE_ROOT: root,
      DSL_STATE_DIR: join(dir, 'state'),
      MACHINE_WATCH: '1',
    }
  })
  afterAll(() => user.remove())

  it('runs the changed states and their requisite closure only', () => {
    apply({})
    expect(readFileSync(join(root, 'reloads'), 'utf8')).toBe('reloaded\n')
    // a file the change does not concern, edited by hand: a full apply would put it back, --changed not
    appendFileSync(join(root, 'extra'), 'by hand\n')

    const run = apply({ MACHINE_VARIANT: 'b' }, '--changed')
    // the motd, the token and the .inputrc changed; the dir they require, the .inputrc's prereq backup and
    // the command on the motd's changes come with them; the rest is left out
    expect(run.stdout).toMatch(
      /--changed: 3 state\(s\) differ from the last generation; with their requisites 6 of \d+ run/,
    )
    expect(run.stdout).toMatch(
      /Applied: \d+ changed, 0 failed, 0 blocked, \d+ skipped, \d+ unchanged \(6 states\)/,
    )
    expect(readFileSync(join(root, 'motd'), 'utf8')).toBe('managed by salt-dsl (b)\n')
    expect(readFileSync(join(user.home, '.inputrc'), 'utf8')).toBe('set editing-mode emacs\n')
    expect(readFileSync(join(root, 'reloads'), 'utf8')).toBe('reloaded\nreloaded\n') // the onchanges ran
    expect(readFileSync(join(root, 'extra'), 'utf8')).toBe('extra\nby hand\n') // not in the closure

    // AND with nothing changed since, nothing runs
    const again = apply({ MACHINE_VARIANT: 'b' }, '--changed')
    expect(again.stdout).toContain('nothing changed since the last generation')
    // while a full apply puts the hand-edited file back
    apply({ MACHINE_VARIANT: 'b' })
    expect(readFileSync(join(root, 'extra'), 'utf8')).toBe('extra\n')
  })
})
