import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { type LoopbackFleet, startFleet, until } from './daemons.ts'

type Check = { time: string; result: 'ok' | 'drift' | 'failed' }
type Status = { machines: { id: string; driftCheck?: Check | null }[] }
type Generation = {
  number: number
  time: string
  kind: string
  machine?: string
  tree: string
  project: string
  revision?: { commit: string; dirty: boolean }
  summary: { failed: number; create: number; states: number }
}
type Compliance = {
  machines: {
    machine: string
    generation: number | null
    rows: { id: string; result: string; severity: string | null; at: string | null }[]
  }[]
  blocking: boolean
}

// the master holds a sudo'ed caller to their operator ACL (sudo_acl): this file's Salt runs as plain root
delete process.env.SUDO_USER

const FIXTURE = 'test/fleet/records-fixture'
/** The line of the fixture that holds `text` (a state's TypeScript line). */
const lineOf = (text: string) =>
  readFileSync(join(REPO, FIXTURE, 'index.ts'), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1

// GIVEN a built fleet of two machines of different profiles via the master (one of them with a failing
// step), its scheduled drift check every 15 s (one that fires while the last still runs is only queued),
// a real salt-master loading its master.d and both minions on 127.0.0.1, each on its own ports and dirs
describe("the master records each minion's run as a generation the dashboard and dsl compliance read", () => {
  const dir = tempDir()
  const out = join(dir, 'out')
  const root = join(dir, 'root')
  const stateDir = join(dir, 'state')
  let fleet: LoopbackFleet
  const env = {
    FLEET_ROOT: root,
    FLEET_PUBLISH: join(dir, 'publish'),
    FLEET_DRIFT_EVERY: '15s',
    FLEET_FAIL: '1',
    DSL_STATE_DIR: stateDir,
    DSL_SALT_CONFIG: join(dir, 'conf-master'),
  }
  const ids = ['rec-desk', 'rec-build']
  const masterLog = () => {
    const log = join(dir, 'master-root', 'master.log')
    return existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : 'no master log'
  }

  beforeAll(async () => {
    const build = dsl(['build', FIXTURE, '--out', out, '--no-typecheck'], env)
    expect(build.status, build.stderr).toBe(0)
    // this file's own ports: 37400–37499
    fleet = await startFleet({
      dir,
      masterD: join(out, 'master.d'),
      port: 37400 + 2 * Math.floor(Math.random() * 50),
    })
    for (const id of ids) fleet.startMinion(id)
    const pending = await until(
      () =>
        ((fleet.salt('salt-key', ['--list=all']).data as { minions_pre?: string[] }).minions_pre ?? [])
          .length === 2,
    )
    expect(pending, masterLog()).toBe(true)
    for (const id of ids) {
      const accept = dsl(['fleet', 'accept', id, '--out', out], env)
      expect(accept.status, accept.stderr).toBe(0)
    }
    const answers = await until(() => {
      const ping = fleet.salt('salt', ['--timeout=5', '-L', ids.join(','), 'test.ping', '--static'])
      return JSON.stringify(ping.data) === JSON.stringify({ 'rec-build': true, 'rec-desk': true })
    }, 60)
    expect(answers).toBe(true)
  }, 180_000)

  afterAll(() => {
    fleet?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  it('dsl apply --all records each minion; the dashboard, dsl compliance and dsl generations show it', async () => {
    // WHEN the fleet is applied through the master, the build machine's step failing
    const apply = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes', '--all'], env)
    expect(apply.status, apply.stdout + apply.stderr).toBe(1)
    expect(apply.stdout).toMatch(/^rec-build +failed /m)
    expect(apply.stdout).toMatch(/^rec-desk +ok /m)

    // THEN each minion has a generation of its own on the master, recorded as a local apply records one
    const generations = (id: string) => {
      const run = dsl(['generations', '--machine', id, '--format', 'json'], env)
      expect(run.status, run.stderr).toBe(0)
      return JSON.parse(run.stdout) as { store: string; generations: Generation[] }
    }
    const recorded = Object.fromEntries(ids.map((id) => [id, generations(id)]))
    for (const id of ids) {
      const { store, generations: list } = recorded[id]!
      expect(store).toBe(join(stateDir, 'machines', id))
      expect(list).toHaveLength(1)
      expect(list[0]).toMatchObject({ number: 1, kind: 'apply', machine: id, project: REPO })
      expect(list[0]!.tree).toMatch(/^[0-9a-f]{64}$/)
      expect(list[0]!.revision?.commit).toMatch(/^[0-9a-f]{40}$/)
      // the tree the master served, with its manifest, and Salt's own per-state result
      const g = join(store, 'generations', '1')
      expect(existsSync(join(g, 'tree', 'salt', 'top.sls'))).toBe(true)
      expect(existsSync(join(g, 'manifest.json'))).toBe(true)
      expect(JSON.parse(readFileSync(join(g, 'fleet.json'), 'utf8'))).toMatchObject({
        via: 'master',
        published: 1,
      })
    }
    expect(recorded['rec-build']!.generations[0]!.summary.failed).toBe(1)
    expect(recorded['rec-desk']!.generations[0]!.summary.failed).toBe(0)
    const result = JSON.parse(
      readFileSync(join(stateDir, 'machines/rec-build/generations/1/result.json'), 'utf8'),
    ) as Record<string, { result: boolean | null; comment?: string }>
    expect(result['cmd_|-build failing step_|-exit 3_|-run']?.result).toBe(false)
    const text = dsl(['generations', '--machine', 'rec-build'], env)
    expect(text.stdout).toMatch(/^1 +\S+ \S+ +apply +[0-9a-f]{10}.* 1 failed/m)

    // the scheduled checks return to the master after the apply (bounded wait): each minion's drift
    const applied = Math.max(...ids.map((id) => Date.parse(recorded[id]!.generations[0]!.time)))
    let checks: Status['machines'] = []
    const checked = await until(() => {
      const run = dsl(['fleet', 'status', '--out', out, '--format', 'json'], env)
      checks = (JSON.parse(run.stdout) as Status).machines
      return checks.every((m) => m.driftCheck && Date.parse(m.driftCheck.time) > applied)
    }, 40)
    expect(checked, JSON.stringify(checks)).toBe(true)
    const found = Object.fromEntries(checks.map((m) => [m.id, m.driftCheck?.result]))
    // the failing step would run again (test=True: "would run"); the desk is as its apply left it
    expect(found).toEqual({ 'rec-build': 'drift', 'rec-desk': 'ok' })

    // the fleet dashboard: one row per minion, the failed one first, each with its drift
    const site = join(dir, 'site')
    const dash = dsl(['dashboard', '--fleet', '--out', site, '--reports', join(dir, 'reports')], env)
    expect(dash.status, dash.stdout + dash.stderr).toBe(0)
    const index = readFileSync(join(site, 'index.html'), 'utf8')
    const rows = [
      ...index.matchAll(
        /<tr class="([^"]*)"><td><a href="([^"]+)">([^<]+)<\/a><\/td><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>(\d+)<\/td><\/tr>/g,
      ),
    ].map((m) => ({ cls: m[1], page: m[2], id: m[3], result: m[4], drift: m[5], generations: m[6] }))
    expect(rows).toEqual([
      {
        cls: 'failed',
        page: 'machine-rec-build.html',
        id: 'rec-build',
        result: expect.stringMatching(/ 1 failed,/),
        drift: 'drifted',
        generations: '1',
      },
      {
        cls: '',
        page: 'machine-rec-desk.html',
        id: 'rec-desk',
        result: expect.stringMatching(/ 0 failed,/),
        drift: 'in sync',
        generations: '1',
      },
    ])
    // a minion's page: its states at their TypeScript lines, the failed one marked
    const page = readFileSync(join(site, 'machine-rec-build.html'), 'utf8')
    expect(page).toMatch(
      new RegExp(
        `<tr class="drifted" data-state="build failing step">[\\s\\S]*?${FIXTURE}/index.ts:${lineOf('build failing step')}<`,
      ),
    )
    expect(page).toMatch(/scheduled check, Salt job \d+/)

    // dsl compliance --fleet: each minion's baseline rules from its recorded Salt result
    const compliance = dsl(
      ['compliance', '--fleet', '--format', 'json', '--reports', join(dir, 'reports')],
      env,
    )
    expect(compliance.status, compliance.stderr).toBe(0)
    const report = JSON.parse(compliance.stdout) as Compliance
    const byMachine = Object.fromEntries(report.machines.map((m) => [m.machine, m]))
    expect(Object.keys(byMachine).sort()).toEqual(['rec-build', 'rec-desk'])
    expect(byMachine['rec-build']).toMatchObject({
      generation: 1,
      rows: [
        {
          id: 'build_cache_clean',
          result: 'fail',
          severity: 'medium',
          at: `${FIXTURE}/index.ts:${lineOf("rule('build_cache_clean'")}`,
        },
      ],
    })
    expect(byMachine['rec-desk']).toMatchObject({
      generation: 1,
      rows: [
        {
          id: 'desk_marker_written',
          result: 'pass',
          severity: 'high',
          at: `${FIXTURE}/index.ts:${lineOf("rule('desk_marker_written'")}`,
        },
      ],
    })
    expect(report.blocking).toBe(false)
    // and one of them alone, from its own store
    const one = dsl(['compliance', '--machine', 'rec-build', '--format', 'json'], env)
    expect(one.status, one.stderr).toBe(0)
    expect((JSON.parse(one.stdout) as Compliance).machines).toMatchObject([
      { machine: 'rec-build', generation: 1, rows: [{ id: 'build_cache_clean', result: 'fail' }] },
    ])
  }, 240_000)
})
