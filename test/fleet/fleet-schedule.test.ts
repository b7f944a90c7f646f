import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'
import { type LoopbackFleet, startFleet, until } from './daemons.ts'

type Check = { jid: string; time: string; result: 'ok' | 'drift' | 'failed'; drifted: number; failed: number }
type Status = { machines: { id: string; driftCheck?: Check | null }[] }

// the master holds a sudo'ed caller to their operator ACL (sudo_acl): this file's Salt runs as plain root
delete process.env.SUDO_USER

// GIVEN a one-machine fleet whose inventory asks for a drift check every 5 s, a real salt-master loading
// its master.d, and that machine's minion, on 127.0.0.1
describe("the fleet's scheduled drift check, through Salt's scheduler and the master's job cache", () => {
  const dir = tempDir()
  const out = join(dir, 'out')
  const root = join(dir, 'root')
  let fleet: LoopbackFleet
  const env = {
    FLEET_ROOT: root,
    FLEET_PUBLISH: join(dir, 'publish'),
    FLEET_DRIFT_EVERY: '5s',
    DSL_STATE_DIR: join(dir, 'state'),
    DSL_SALT_CONFIG: join(dir, 'conf-master'),
  }
  const status = (): Check | null | undefined => {
    const run = dsl(['fleet', 'status', '--out', out, '--format', 'json'], env)
    expect(run.status, run.stderr).toBe(0)
    return (JSON.parse(run.stdout) as Status).machines.find((m) => m.id === 'fleet-checked')?.driftCheck
  }

  beforeAll(async () => {
    const build = dsl(['build', 'test/fleet/schedule-fixture', '--out', out, '--no-typecheck'], env)
    expect(build.status, build.stderr).toBe(0)
    fleet = await startFleet({ dir, masterD: join(out, 'master.d') })
    fleet.startMinion('fleet-checked')
    const pending = await until(
      () =>
        ((fleet.salt('salt-key', ['--list=all']).data as { minions_pre?: string[] }).minions_pre ?? [])
          .length === 1,
    )
    expect(pending).toBe(true)
    const accept = dsl(['fleet', 'accept', 'fleet-checked', '--out', out], env)
    expect(accept.status, accept.stderr).toBe(0)
    // the minion is up and has compiled its pillar before anything is published: the schedule must reach
    // a running minion
    const answers = await until(
      () =>
        JSON.stringify(fleet.salt('salt', ['--timeout=5', 'fleet-checked', 'test.ping']).data).includes(
          'true',
        ),
      40,
    )
    expect(answers).toBe(true)
  }, 120_000)

  afterAll(() => {
    fleet?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  it('emits the schedule in the pillar, and dsl fleet status reads the checks back: in sync, then drift', async () => {
    // the schedule is Salt's own, in a pillar env of the fleet's: the config's pillar top stays as built
    expect(readFileSync(join(out, 'master.d/salt-dsl.conf'), 'utf8')).toContain(
      `  salt_dsl_fleet:\n    - ${env.FLEET_PUBLISH}/current/fleet-pillar\n`,
    )
    expect(readFileSync(join(out, 'fleet-pillar/drift_check.sls'), 'utf8')).toContain(
      'schedule:\n  salt_dsl_drift_check:\n    function: state.apply\n    kwargs:\n      test: true\n      queue: true\n    seconds: 5\n',
    )

    // WHEN the tree is applied through the master (publish, the minions' pillar refreshed, the apply)
    const apply = dsl(
      ['apply', 'test/fleet/schedule-fixture', '--out', out, '--no-typecheck', '--yes', '--all'],
      env,
    )
    expect(apply.status, apply.stdout + apply.stderr).toBe(0)
    expect(readFileSync(join(root, 'checked.txt'), 'utf8')).toBe('as built\n')
    // the minion's own scheduler holds the job the pillar gave it
    const schedule = fleet.salt('salt', [
      '--timeout=10',
      'fleet-checked',
      'schedule.list',
      'return_yaml=False',
    ])
    expect(JSON.stringify(schedule.data)).toContain('salt_dsl_drift_check')

    // THEN a scheduled check returns to the master and finds the machine in sync (bounded wait, ~60 s)
    const applied = Date.now()
    let last: Check | null | undefined
    const inSync = await until(() => {
      last = status()
      return last?.result === 'ok' && Date.parse(last.time) > applied
    }, 20)
    expect(inSync, JSON.stringify(last)).toBe(true)

    // WHEN the managed file is edited behind salt-dsl's back
    writeFileSync(join(root, 'checked.txt'), 'edited by hand\n')
    const edited = Date.now()
    // THEN a later scheduled check reports the drift, and the file is left as it was (test=True)
    const drifted = await until(() => {
      last = status()
      return last?.result === 'drift' && Date.parse(last.time) > edited
    }, 20)
    expect(drifted, JSON.stringify(last)).toBe(true)
    expect(last).toMatchObject({ result: 'drift', drifted: 1, failed: 0 })
    expect(readFileSync(join(root, 'checked.txt'), 'utf8')).toBe('edited by hand\n')
    // the job is in Salt's own job cache, where salt-run finds it
    const lookup = fleet.salt('salt-run', ['jobs.lookup_jid', last!.jid])
    expect(JSON.stringify(lookup.data)).toContain('checked file')

    // the same alert as a machine's own drift raises, sent once by dsl alerts --fleet
    const sent = join(dir, 'alerts.jsonl')
    const config = join(dir, 'alerts.json')
    writeFileSync(
      config,
      JSON.stringify({
        rules: [{ on: ['drift', 'failed-apply'], command: ['sh', '-c', `cat >> ${sent}; echo >> ${sent}`] }],
      }),
    )
    const alerts = () =>
      dsl(['alerts', '--config', config, '--fleet', '--store', env.DSL_STATE_DIR, '--out', out], env)
    const first = alerts()
    expect(first.status, first.stdout + first.stderr).toBe(0)
    expect(first.stdout).toMatch(
      /^new: \[drift\] fleet-checked drifted \(scheduled check, Salt job \d+\): checked file$/m,
    )
    expect(readFileSync(sent, 'utf8')).toContain('"kind":"drift","machine":"fleet-checked"')
    const again = alerts()
    expect(again.stdout).toMatch(/1 condition\(s\), 0 new, 0 sent/)

    // and the table says it per machine
    const table = dsl(['fleet', 'status', '--out', out], env)
    expect(table.status, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/last check +drift\n/)
    expect(table.stdout).toMatch(/^fleet-checked .* \d{4}-\d\d-\d\dT[\d:.]+Z +yes \(1 would change\)$/m)
  }, 150_000)
})
