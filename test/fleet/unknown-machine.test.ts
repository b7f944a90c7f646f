// dsl apply / dsl plan --machine ID on a config with a fleet (a machine via the master or salt-ssh) refuses an
// ID the inventory lacks, instead of running on this host as that machine; a config without a fleet keeps
// serving a machine by its ID here. No daemons: the refusal comes before any Salt run.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'

describe('--machine ID not in the inventory of a fleet', () => {
  const dir = tempDir()
  const env = {
    FLEET_ROOT: join(dir, 'root'),
    FLEET_SSH_ROOT: join(dir, 'ssh-root'),
    FLEET_PUBLISH: join(dir, 'publish'),
    DSL_STATE_DIR: join(dir, 'state'),
    // no master here: the refusal needs none
    DSL_SALT_CONFIG: join(dir, 'no-master'),
  }
  const out = join(dir, 'out')

  for (const verb of ['apply', 'plan'] as const)
    it(`dsl ${verb} --machine of a machine the fleet lacks: exit 2, the machines named, nothing run`, () => {
      // GIVEN the fleet fixture (two minions via the master, one host via salt-ssh)
      // WHEN a machine it lacks is named
      const run = dsl(
        [
          verb,
          'test/fleet/fixture',
          '--out',
          out,
          '--no-typecheck',
          '--machine',
          'fleet-typo',
          ...(verb === 'apply' ? ['--yes'] : []),
        ],
        env,
      )
      // THEN it is refused as a usage error naming the inventory's machines and how to add one
      expect(run.status, run.stdout + run.stderr).toBe(2)
      expect(run.stderr).toContain(
        `dsl ${verb}: machine 'fleet-typo' is not in the inventory of this fleet (its machines: fleet-min, fleet-ssh, fleet-work); nothing was run.`,
      )
      expect(run.stderr).toContain("inventory({ machines: { 'fleet-typo': { ..., via: 'master' } } })")
      expect(run.stderr).toContain('dsl fleet accept fleet-typo')
      // AND nothing ran here, nothing was published nor recorded
      expect(run.stdout).not.toContain('salt-call')
      expect(existsSync(env.FLEET_ROOT)).toBe(false)
      expect(existsSync(join(env.FLEET_PUBLISH, 'current'))).toBe(false)
      const generations = join(env.DSL_STATE_DIR, 'generations')
      expect(existsSync(generations) ? readdirSync(generations) : []).toEqual([])
    })

  it('a config without a fleet still plans a machine by its ID on this host', () => {
    // GIVEN a config whose machines are all applied locally (none via the master or salt-ssh)
    const local = join(dir, 'local-out')
    const run = dsl(
      [
        'plan',
        'test/fleet/local-fixture',
        '--out',
        local,
        '--no-typecheck',
        '--machine',
        'onboarded-elsewhere',
      ],
      { ...env, FLEET_ROOT: join(dir, 'local-root') },
    )
    // THEN it is planned here as before (no refusal): Salt says what applies to that id on this host
    expect(run.stderr).not.toContain('is not in the inventory')
    expect(run.stdout).toMatch(/^Plan: /m)
  })
})
