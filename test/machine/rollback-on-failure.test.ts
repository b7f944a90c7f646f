// `dsl apply --rollback-on-failure` (and the config's applyPolicy) through the real CLI and the real Salt, as
// root, into a throw-away user, directory and store: a failed apply is followed by the previous generation
// applied again; both runs are reported, and what Salt cannot undo is named.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/machine/fixture'

describe('apply --rollback-on-failure (as root, a throw-away user and store)', () => {
  let user: ReturnType<typeof throwawayUser>
  let env: Record<string, string>
  let out: string
  let root: string
  const apply = (extra: Record<string, string>, ...flags: string[]) =>
    dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes', ...flags], { ...env, ...extra })

  beforeAll(() => {
    user = throwawayUser()
    const dir = tempDir('salt-dsl-rof-')
    out = join(dir, 'out')
    root = join(dir, 'managed')
    env = { MACHINE_USER: user.name, MACHINE_ROOT: root, DSL_STATE_DIR: join(dir, 'state') }
  })
  afterAll(() => user.remove())

  const generations = () =>
    (
      JSON.parse(dsl(['generations', '--format', 'json'], env).stdout) as {
        generations: { kind: string; of?: number }[]
      }
    ).generations

  it('a failed apply is followed by the previous generation, applied again', () => {
    expect(apply({}).status).toBe(0)
    const failing = { MACHINE_VARIANT: 'b', MACHINE_FAIL: '1' }
    const run = apply(failing, '--rollback-on-failure')
    expect(run.status).toBe(1)
    // both runs are reported: the failed apply, then the rollback
    expect(run.stdout).toMatch(/Applied: \d+ changed, 1 failed, 1 blocked/)
    expect(run.stdout).toContain('the apply failed: applying generation 1 again (rollback on failure)')
    expect(run.stdout).toContain('Salt cannot undo what these states of the failed run did:')
    expect(run.stdout).toContain(`  cmd.run touch ${root}/side-effect (change)`)
    expect(run.stdout).toContain('recorded generation 3 (rollback of 1)')
    expect(run.stdout).toContain('rolled back to generation 1')
    // THEN the machine is as generation 1 left it, but for what Salt cannot undo
    expect(readFileSync(join(root, 'motd'), 'utf8')).toBe('managed by salt-dsl (a)\n')
    expect(readFileSync(join(user.home, '.inputrc'), 'utf8')).toBe('set editing-mode vi\n')
    expect(existsSync(join(root, 'side-effect'))).toBe(true)
    expect(generations().map((g) => g.kind)).toEqual(['apply', 'apply', 'rollback'])
  })

  it("the config's applyPolicy({ rollbackOnFailure: true }) does it without the flag; without either, no rollback", () => {
    const plain = apply({ MACHINE_VARIANT: 'b', MACHINE_FAIL: '1' })
    expect(plain.status).toBe(1)
    expect(plain.stdout).not.toContain('rollback on failure')
    expect(readFileSync(join(root, 'motd'), 'utf8')).toBe('managed by salt-dsl (b)\n')
    const policy = apply({ MACHINE_FAIL: '1', MACHINE_ROLLBACK: '1' })
    expect(policy.status).toBe(1)
    expect(policy.stdout).toContain('the apply failed: applying generation 4 again (rollback on failure)')
    expect(readFileSync(join(root, 'motd'), 'utf8')).toBe('managed by salt-dsl (b)\n')
  })
})
