// Run-once migrations through the real CLI and the real Salt, as root, into a throw-away directory and
// store: a migration runs on the first apply, is left out (Salt's exclude) while its body is unchanged,
// and runs again when its emitted SLS changes.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/machine/fixture'

describe('run-once migrations (as root, a throw-away user, directory and store)', () => {
  let user: ReturnType<typeof throwawayUser>
  let env: Record<string, string>
  let out: string
  let migrated: string
  const apply = (extra: Record<string, string>) => {
    const run = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes'], { ...env, ...extra })
    expect(run.status, run.stderr + run.stdout).toBe(0)
    return run
  }

  beforeAll(() => {
    const dir = tempDir('salt-dsl-migrations-')
    out = join(dir, 'out')
    migrated = join(dir, 'managed', 'migrated')
    user = throwawayUser()
    env = { MACHINE_USER: user.name, MACHINE_ROOT: join(dir, 'managed'), DSL_STATE_DIR: join(dir, 'state') }
  })
  afterAll(() => user.remove())

  it('runs once, is left out while unchanged, and runs again when its body changes', () => {
    apply({ MACHINE_MIGRATION: 'one' })
    expect(readFileSync(migrated, 'utf8')).toBe('one\n')
    const log = JSON.parse(readFileSync(join(env.DSL_STATE_DIR!, 'migrations.json'), 'utf8'))
    expect(log['migration.fixture-once']).toMatchObject({
      generation: 1,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    })

    // WHEN the config changes elsewhere THEN the migration is left out of the run
    const again = apply({ MACHINE_MIGRATION: 'one', MACHINE_VARIANT: 'b' })
    expect(again.stdout).toContain('migration migration.fixture-once already ran on this machine: left out')
    expect(readFileSync(migrated, 'utf8')).toBe('one\n')

    // WHEN its body changes THEN it runs again, once
    apply({ MACHINE_MIGRATION: 'two', MACHINE_VARIANT: 'b' })
    expect(readFileSync(migrated, 'utf8')).toBe('one\ntwo\n')
    const plan = dsl(['plan', FIXTURE, '--out', out, '--no-typecheck', '--detailed-exitcode'], {
      ...env,
      MACHINE_MIGRATION: 'two',
      MACHINE_VARIANT: 'b',
    })
    expect(plan.status, plan.stdout + plan.stderr).toBe(0)
  })
})
