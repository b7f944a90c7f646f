import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { GRAINS } from '../support/salt.ts'
import { type LoopbackFleet, startFleet, until } from './daemons.ts'

type FleetJson = {
  jid: string | null
  machines: {
    id: string
    result: string
    states: { id: string; change: string; status: string; file?: string }[]
  }[]
}
/** `state.show_highstate` of one minion: per state ID, `{ module: [name/args..., function] }`. */
type Highstate = Record<string, Record<string, unknown>>

// the master holds a sudo'ed caller to their operator ACL (sudo_acl): this file's Salt runs as plain root
delete process.env.SUDO_USER

const FIXTURE = 'test/fleet/five-fixture'
/** Each minion and the platform whose grains its minion config claims (as in the fixture's inventory). */
const PLATFORMS = {
  'five-debian': 'debian',
  'five-ubuntu': 'ubuntu',
  'five-fedora': 'fedora',
  'five-arch': 'arch',
  'five-macos': 'macos',
} as const
const ids = Object.keys(PLATFORMS).sort()
/** The minion whose run the test holds and stops: the only one with the held step (profile server). */
const HELD = 'five-arch'

/** The files a highstate manages: path → contents (file.managed states only). */
function managedFiles(highstate: Highstate): Record<string, string> {
  const files: Record<string, string> = {}
  for (const state of Object.values(highstate)) {
    const args = state.file
    if (!Array.isArray(args) || !args.includes('managed')) continue
    const arg = (key: string) =>
      String(args.find((a) => typeof a === 'object' && a !== null && key in a)?.[key])
    files[arg('name')] = arg('contents')
  }
  return files
}

// GIVEN a built fleet of five machines via the master, one per platform (debian, ubuntu, fedora, arch,
// macos) and of three profiles, whose states write per machine and per platform values under a temp
// root; a real salt-master loading its master.d and five minions on 127.0.0.1, each with its platform's
// static grains in its minion config, on this file's own ports (37600–37699) and dirs
describe('a fleet of five minions of five platforms on a real salt-master', () => {
  const dir = tempDir()
  const out = join(dir, 'out')
  const root = join(dir, 'root')
  const env = {
    FLEET_ROOT: root,
    FLEET_PUBLISH: join(dir, 'publish'),
    DSL_STATE_DIR: join(dir, 'state'),
    DSL_SALT_CONFIG: join(dir, 'conf-master'),
  }
  let fleet: LoopbackFleet
  const apply = (args: readonly string[] = []) =>
    dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes', '--all', ...args], env)
  const masterLog = () => {
    const log = join(dir, 'master-root', 'master.log')
    return existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : 'no master log'
  }
  /** A minion's config dir gets its platform's grains before the minion starts (minion.d is read too). */
  const startMinion = (id: keyof typeof PLATFORMS) => {
    mkdirSync(join(dir, `conf-${id}`, 'minion.d'), { recursive: true })
    writeFileSync(
      join(dir, `conf-${id}`, 'minion.d', 'grains.conf'),
      JSON.stringify({ grains: GRAINS[PLATFORMS[id]] }),
    )
    fleet.startMinion(id)
  }
  /** Every minion of `list` answers a ping through the master (Salt's output is in no set order). */
  const answering = (list: readonly string[]) =>
    until(() => {
      const ping = fleet.salt('salt', ['--timeout=5', '-L', list.join(','), 'test.ping', '--static'])
      const answers = (ping.data ?? {}) as Record<string, unknown>
      return list.every((id) => answers[id] === true)
    }, 60)
  const highstates: Record<string, Highstate> = {}

  beforeAll(async () => {
    const build = dsl(['build', FIXTURE, '--out', out, '--no-typecheck'], env)
    expect(build.status, build.stderr).toBe(0)
    fleet = await startFleet({
      dir,
      masterD: join(out, 'master.d'),
      port: 37600 + 2 * Math.floor(Math.random() * 50),
    })
    for (const id of ids) startMinion(id as keyof typeof PLATFORMS)
    const pending = await until(
      () =>
        ((fleet.salt('salt-key', ['--list=all']).data as { minions_pre?: string[] }).minions_pre ?? [])
          .length === ids.length,
      120,
    )
    expect(pending, masterLog()).toBe(true)
    for (const id of ids) {
      const accept = dsl(['fleet', 'accept', id, '--out', out], env)
      expect(accept.status, accept.stderr).toBe(0)
    }
    expect(await answering(ids), masterLog()).toBe(true)
  }, 400_000)

  afterAll(() => {
    fleet?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  it('each minion claims its own platform: Salt reads the grains its minion config sets', () => {
    const os = fleet.salt('salt', ['--timeout=30', '-L', ids.join(','), 'grains.get', 'os', '--static'])
    expect(os.data, os.stderr).toEqual({
      'five-arch': 'Arch',
      'five-debian': 'Debian',
      'five-fedora': 'Fedora',
      'five-macos': 'MacOS',
      'five-ubuntu': 'Ubuntu',
    })
  }, 120_000)

  it('dsl apply --all applies each minion its own highstate: the files each highstate gives, five machines', () => {
    const run = apply()
    expect(run.status, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^applying 5 machine\(s\) through the salt-master: /m)
    expect(run.stdout).toMatch(/^machine +via +result +changed +failed +unchanged +time$/m)
    for (const id of ids)
      expect(run.stdout).toMatch(new RegExp(`^${id} +master +ok +[1-9]\\d* +0 +\\d+ +\\d`, 'm'))
    expect(run.stdout).toContain('5 of 5 machine(s) applied without failure')

    // THEN each minion's dir holds exactly the files Salt's own show_highstate gives that minion
    for (const id of ids) {
      const shown = fleet.salt('salt', ['--timeout=60', id, 'state.show_highstate', '--static'])
      const highstate = (shown.data as Record<string, Highstate>)[id]
      expect(highstate, JSON.stringify(shown)).toBeTypeOf('object')
      highstates[id] = highstate!
      const files = managedFiles(highstate!)
      expect(Object.keys(files).length, id).toBeGreaterThan(0)
      for (const [path, contents] of Object.entries(files)) {
        expect(path.startsWith(join(root, id, '/')), path).toBe(true)
        expect(readFileSync(path, 'utf8'), `${id}: ${path}`).toBe(contents)
      }
      const written = readdirSync(join(root, id)).filter((n) => n !== 'cache')
      expect(written.sort()).toEqual(
        Object.keys(files)
          .map((p) => p.slice(join(root, id).length + 1))
          .sort(),
      )
    }
    // each highstate is its own: per profile and per platform, as the config says
    const read = (id: string) =>
      Object.fromEntries(
        readdirSync(join(root, id))
          .filter((n) => n.endsWith('.txt'))
          .map((n) => [n, readFileSync(join(root, id, n), 'utf8')]),
      )
    expect(Object.fromEntries(ids.map((id) => [id, read(id)]))).toEqual({
      'five-arch': { 'platform.txt': 'arch rolling\n', 'server.txt': 'pacman server\n' },
      'five-debian': { 'platform.txt': 'debian bookworm\n', 'build.txt': 'deb builder\n' },
      'five-fedora': { 'platform.txt': 'fedora 40\n', 'build.txt': 'rpm builder\n' },
      'five-macos': { 'platform.txt': 'macos sonoma\n', 'desk.txt': 'brew desk\n' },
      'five-ubuntu': { 'platform.txt': 'ubuntu noble\n', 'desk.txt': 'apt desk\n' },
    })
    const distinct = new Set(ids.map((id) => JSON.stringify(managedFiles(highstates[id]!))))
    expect(distinct.size).toBe(5)

    // and each ran exactly the states of its own highstate, at the fixture's lines
    const again = apply(['--format', 'json'])
    expect(again.status, again.stderr).toBe(0)
    const result = JSON.parse(again.stdout) as FleetJson
    expect(result.machines.map((m) => `${m.id}: ${m.result}`).sort()).toEqual(ids.map((id) => `${id}: ok`))
    for (const m of result.machines) {
      expect(m.states.map((s) => s.id).sort()).toEqual(Object.keys(highstates[m.id]!).sort())
      expect(m.states.every((s) => s.file === `${FIXTURE}/index.ts`)).toBe(true)
    }
  }, 400_000)

  it('a minion killed mid-run is reported with no return, the other four ok; restarted, a re-run converges', async () => {
    // the held machine drifted (its files are gone), and its next run waits at its first step
    for (const n of ['platform.txt', 'server.txt']) rmSync(join(root, HELD, n))
    writeFileSync(join(root, HELD, 'hold'), '')
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin/dsl.js'), 'apply', FIXTURE, '--out', out, '--no-typecheck', '--yes', '--all'],
      { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const ended = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)))
    // WHEN its minion is stopped (its whole process group, the job's shell included) while the step waits
    expect(await until(() => existsSync(join(root, HELD, 'held')), 480), stdout + stderr).toBe(true)
    fleet.killMinion(HELD)
    const code = await ended
    // THEN that machine has no return, the four others applied: exit 1
    expect(code, stdout + stderr).toBe(1)
    expect(stdout).toMatch(new RegExp(`^${HELD} +no return +the minion stopped answering`, 'm'))
    expect(stdout).toMatch(new RegExp(`^${HELD} +master +no return`, 'm'))
    for (const id of ids.filter((id) => id !== HELD))
      expect(stdout).toMatch(new RegExp(`^${id} +master +ok +0 +0 +\\d+ +\\d`, 'm'))
    expect(stdout).toContain('4 of 5 machine(s) applied without failure')
    expect(existsSync(join(root, HELD, 'server.txt'))).toBe(false)
    // dsl fleet status keeps each machine's last result: the stopped one unreachable with no return
    const status = dsl(['fleet', 'status', '--out', out, '--format', 'json'], env)
    expect(status.status, status.stderr).toBe(0)
    const rows = (JSON.parse(status.stdout) as { machines: Record<string, unknown>[] }).machines
    for (const id of ids)
      expect(rows.find((r) => r.id === id)).toMatchObject(
        id === HELD
          ? { key: 'accepted', reachable: 'no', result: 'no return' }
          : { key: 'accepted', reachable: 'yes', result: 'ok' },
      )

    // WHEN it is restarted (no longer held) and the fleet applied again
    rmSync(join(root, HELD, 'hold'))
    rmSync(join(root, HELD, 'held'))
    startMinion(HELD)
    expect(await answering([HELD]), masterLog()).toBe(true)
    const rerun = apply(['--format', 'json'])
    // THEN every machine is ok: the held one gets its files back, the four change nothing
    expect(rerun.status, rerun.stdout + rerun.stderr).toBe(0)
    const result = JSON.parse(rerun.stdout) as FleetJson
    const changed = (m: FleetJson['machines'][number]) => m.states.filter((s) => s.change !== 'no-op')
    for (const m of result.machines) {
      expect(m.result, m.id).toBe('ok')
      if (m.id === HELD)
        expect(
          changed(m)
            .map((s) => s.id)
            .sort(),
        ).toEqual(['platform marker', 'server marker'])
      else expect(changed(m), m.id).toEqual([])
    }
    expect(result.machines).toHaveLength(5)
    expect(readFileSync(join(root, HELD, 'server.txt'), 'utf8')).toBe('pacman server\n')
    expect(readFileSync(join(root, HELD, 'platform.txt'), 'utf8')).toBe('arch rolling\n')
    // and once more: nothing changes anywhere
    const settled = apply()
    expect(settled.status, settled.stdout + settled.stderr).toBe(0)
    for (const id of ids)
      expect(settled.stdout).toMatch(new RegExp(`^${id} +master +ok +0 +0 +\\d+ +\\d`, 'm'))
    expect(settled.stdout).toContain('5 of 5 machine(s) applied without failure')
    // each machine's runs are recorded on the master in a store of its own
    for (const id of ids) {
      const run = dsl(['generations', '--machine', id, '--format', 'json'], env)
      expect(run.status, run.stderr).toBe(0)
      const recorded = JSON.parse(run.stdout) as { store: string; generations: unknown[] }
      expect(recorded.store).toBe(join(env.DSL_STATE_DIR, 'machines', id))
      expect(recorded.generations.length, id).toBeGreaterThan(0)
    }
  }, 600_000)
})
