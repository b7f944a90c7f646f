import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { type LoopbackFleet, type LoopbackSshd, startFleet, startSshd, until } from './daemons.ts'

type Keys = { minions: string[]; minions_pre: string[]; minions_rejected: string[] }
type FleetJson = {
  jid: string | null
  machines: { id: string; result: string; states: { id: string; status: string; file?: string }[] }[]
}

// the master holds a sudo'ed caller to their operator ACL (sudo_acl): this file's Salt runs as plain root
delete process.env.SUDO_USER

// GIVEN a built fleet (two minions via the master, one via ssh), a real salt-master loading its master.d,
// the two minions of the inventory, a stranger's minion, and an sshd letting a throw-away user in with a
// throw-away key, all on 127.0.0.1
describe('a fleet on a real salt-master with minions on 127.0.0.1', () => {
  const dir = tempDir()
  const out = join(dir, 'out')
  const root = join(dir, 'root')
  const publish = join(dir, 'publish')
  const stateDir = join(dir, 'state')
  let fleet: LoopbackFleet
  let sshd: LoopbackSshd
  let user: ReturnType<typeof throwawayUser>
  const env = (extra: Record<string, string> = {}) => ({
    FLEET_SSH_PORT: String(sshd.port),
    FLEET_SSH_USER: user.name,
    FLEET_SSH_KEY: sshd.key,
    FLEET_SSH_ROOT: join(user.home, 'fleet'),
    FLEET_ROOT: root,
    FLEET_PUBLISH: publish,
    DSL_STATE_DIR: stateDir,
    DSL_SALT_CONFIG: join(dir, 'conf-master'),
    ...extra,
  })
  const build = (extra: Record<string, string> = {}) => {
    const run = dsl(['build', 'test/fleet/fixture', '--out', out, '--no-typecheck'], env(extra))
    expect(run.status, run.stderr).toBe(0)
  }
  const apply = (args: readonly string[], extra: Record<string, string> = {}) =>
    dsl(['apply', 'test/fleet/fixture', '--out', out, '--no-typecheck', '--yes', ...args], env(extra))
  const keys = () => fleet.salt('salt-key', ['--list=all']).data as Keys

  beforeAll(async () => {
    user = throwawayUser()
    sshd = await startSshd({ dir, user: user.name, home: user.home })
    build()
    fleet = await startFleet({
      dir,
      masterD: join(out, 'master.d'),
      master: { known_hosts_file: sshd.knownHosts },
    })
    for (const id of ['fleet-min', 'fleet-work', 'fleet-stranger']) fleet.startMinion(id)
    const pending = await until(() => (keys().minions_pre ?? []).length === 3)
    expect(pending, JSON.stringify(keys())).toBe(true)
  }, 180_000)

  afterAll(() => {
    fleet?.stop()
    sshd?.stop()
    if (user) {
      // salt-ssh leaves its thin Salt on the host it ran on, under the login's name
      for (const n of readdirSync('/var/tmp').filter((n) => n.startsWith(`.${user.name}_`)))
        rmSync(join('/var/tmp', n), { recursive: true, force: true })
      user.remove()
    }
    rmSync(root, { recursive: true, force: true })
  })

  it('emits master.d and a roster from the inventory, and the master runs with them', () => {
    const conf = readFileSync(join(out, 'master.d/salt-dsl.conf'), 'utf8')
    expect(conf).toContain(`- ${publish}/current/salt`)
    expect(conf).toContain('auto_accept: false')
    expect(readFileSync(join(out, 'roster'), 'utf8')).toContain(
      `fleet-ssh:\n  host: 127.0.0.1\n  port: ${sshd.port}\n  user: ${user.name}\n  priv: ${sshd.key}\n`,
    )
    expect(conf).toContain(`roster_file: ${publish}/current/roster`)
    // the master's own view of its settings: what master.d set, read back through Salt
    const roots = fleet.salt('salt-run', ['salt.cmd', 'config.get', 'file_roots'])
    expect(roots.data, roots.stderr).toEqual({
      base: [`${publish}/current/salt`],
      __env__: [`${publish}/generations/__env__/salt`],
    })
    const groups = fleet.salt('salt-run', ['salt.cmd', 'config.get', 'nodegroups'])
    expect(groups.data).toMatchObject({ profile_work: 'L@fleet-work', fleet: 'L@fleet-min,fleet-work' })
    // auto_accept is off: nobody's key was accepted by the master itself
    expect(keys().minions).toEqual([])
  })

  it('registers only machines of the inventory: a stranger stays pending', async () => {
    const pending = dsl(['fleet', 'pending', '--out', out], env())
    expect(pending.status, pending.stderr).toBe(0)
    expect(pending.stdout).toMatch(/fleet-stranger {2}not in the inventory/)
    expect(pending.stdout).toMatch(/fleet-min {2}in the inventory: dsl fleet accept fleet-min/)

    const stranger = dsl(['fleet', 'accept', 'fleet-stranger', '--out', out], env())
    expect(stranger.status).toBe(1)
    expect(stranger.stderr).toContain("'fleet-stranger' is not in the inventory: its key stays pending")
    expect(stranger.stderr).toContain('hint: add it to inventory(')
    expect(keys().minions_pre).toContain('fleet-stranger')

    // before its key is accepted, a machine is not applied: dsl apply says how to register it
    const early = apply(['--machine', 'fleet-min'])
    expect(early.status).toBe(1)
    expect(early.stdout).toContain(`published generation 1 to ${publish}`)
    expect(early.stdout).toMatch(
      /^fleet-min +not registered +its key is pending: `dsl fleet accept fleet-min`$/m,
    )

    for (const id of ['fleet-min', 'fleet-work']) {
      const run = dsl(['fleet', 'accept', id, '--out', out], env())
      expect(run.status, run.stderr).toBe(0)
      expect(run.stdout).toBe(`${id}: key accepted\n`)
      // without --fingerprint: accepted, its key's fingerprint shown as not verified
      expect(run.stderr).toMatch(
        new RegExp(`^${id}: its key's fingerprint is ([0-9a-f]{2}:){31}[0-9a-f]{2}, not verified`, 'm'),
      )
    }
    expect(keys().minions.sort()).toEqual(['fleet-min', 'fleet-work'])
    expect(keys().minions_pre).toEqual(['fleet-stranger'])
    const answered = await until(() => {
      const ping = fleet.salt('salt', ['-L', 'fleet-min,fleet-work', 'test.ping', '--static', '--timeout=5'])
      return JSON.stringify(ping.data) === JSON.stringify({ 'fleet-min': true, 'fleet-work': true })
    })
    expect(answered).toBe(true)

    // the stranger is turned away: rejected, then (its minion stopped) its key removed
    const rejected = dsl(['fleet', 'reject', 'fleet-stranger', '--out', out], env())
    expect(rejected.stdout, rejected.stderr).toBe('fleet-stranger: key rejected\n')
    expect(keys().minions_rejected).toEqual(['fleet-stranger'])
    fleet.killMinion('fleet-stranger')
    const removed = dsl(['fleet', 'remove', 'fleet-stranger', '--out', out], env())
    expect(removed.stdout, removed.stderr).toBe('fleet-stranger: key removed\n')
    expect(keys().minions_rejected).toEqual([])
  }, 120_000)

  it('dsl apply --all applies each minion its own highstate, at the TypeScript lines, with a summary', () => {
    const run = apply(['--all'])
    expect(run.status, run.stdout + run.stderr).toBe(0)
    // the registration test published this tree already (generation 1): the master serves it as it is
    expect(run.stdout).toContain('the master already serves this tree (generation 1)')
    expect(run.stdout).toMatch(/^job \d+$/m)
    // both minions share this host: which of them creates the common directory first is a race
    expect(run.stdout).toMatch(
      /^fleet-min +ok +[12] changed, 0 failed, 0 blocked, [01] unchanged \(2 states\)/m,
    )
    expect(run.stdout).toMatch(
      /^fleet-work +ok +[23] changed, 0 failed, 0 blocked, [01] unchanged \(3 states\)/m,
    )
    expect(run.stdout).toMatch(
      /^ {4}\+ create file\.managed minimal marker {2}test\/fleet\/fixture\/index\.ts:13$/m,
    )
    expect(run.stdout).toMatch(
      /^ {4}~ change cmd\.run work slow step {2}test\/fleet\/fixture\/index\.ts:19$/m,
    )
    expect(run.stdout).toMatch(/^applying 1 machine\(s\) through salt-ssh: fleet-ssh$/m)
    expect(run.stdout).toMatch(/^fleet-ssh +ok +1 changed, 0 failed, 0 blocked, 0 unchanged \(1 states\)/m)
    expect(run.stdout).toMatch(
      /^ {4}\+ create file\.managed remote marker {2}test\/fleet\/fixture\/index\.ts:\d+$/m,
    )
    expect(run.stdout).toMatch(/^fleet-ssh +ssh +ok +1 +0 +0 /m)
    expect(run.stdout).toMatch(/^machine +via +result +changed +failed +unchanged +time$/m)
    expect(run.stdout).toMatch(/^fleet-min +master +ok +[12] +0 +[01] +\d/m)
    expect(run.stdout).toContain('3 of 3 machine(s) applied without failure')
    expect(readFileSync(join(root, 'minimal.txt'), 'utf8')).toBe('minimal\n')
    // salt-ssh logged in as the throw-away user: the file is theirs
    const remote = join(user.home, 'fleet/remote.txt')
    expect(readFileSync(remote, 'utf8')).toBe('remote\n')
    expect(execFileSync('stat', ['-c', '%U', remote], { encoding: 'utf8' }).trim()).toBe(user.name)
    expect(readFileSync(join(root, 'work.txt'), 'utf8')).toBe('work\n')

    // each minion ran exactly the states Salt's own show_highstate gives it
    const again = apply(['--all', '--format', 'json'])
    expect(again.status, again.stderr).toBe(0)
    const result = JSON.parse(again.stdout) as FleetJson
    expect(result.jid).toMatch(/^\d+$/)
    expect(result.machines.find((m) => m.id === 'fleet-ssh')?.result).toBe('ok')
    for (const id of ['fleet-min', 'fleet-work']) {
      const shown = fleet.salt('salt', [id, 'state.show_highstate', '--static']).data as Record<
        string,
        Record<string, unknown>
      >
      const applied = result.machines.find((m) => m.id === id)!
      expect(applied.result).toBe('ok')
      expect(applied.states.map((s) => s.id).sort()).toEqual(Object.keys(shown[id] ?? {}).sort())
      expect(applied.states.every((s) => s.file === 'test/fleet/fixture/index.ts')).toBe(true)
    }
  }, 300_000)

  it('--target profile=minimal applies to the minimal machines only', () => {
    const run = apply(['--target', 'profile=minimal', '--format', 'json'])
    expect(run.status, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout) as FleetJson
    expect(result.machines.map((m) => `${m.id}: ${m.result}`)).toEqual(['fleet-min: ok'])
    // one machine reached via the master goes through the master too
    const one = apply(['--machine', 'fleet-work', '--format', 'json'])
    expect(one.status, one.stderr).toBe(0)
    expect((JSON.parse(one.stdout) as FleetJson).machines.map((m) => `${m.id}: ${m.result}`)).toEqual([
      'fleet-work: ok',
    ])
    // a state that fails on a machine: reported at its TypeScript line, with the machine's name
    const failing = apply(['--target', 'profile=work'], { FLEET_FAIL: '1' })
    expect(failing.status, failing.stdout).toBe(1)
    expect(failing.stdout).toMatch(
      /^fleet-work +failed +\d changed, 1 failed, 0 blocked, \d unchanged \(4 states\)/m,
    )
    expect(failing.stderr).toMatch(
      /^test\/fleet\/fixture\/index\.ts:24:\d+ - error DSL6001: fleet-work: cmd\.run 'work failing step' failed: .*\(exit 3\)$/m,
    )
    const bad = apply(['--target', 'profil=minimal'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain("'profil=minimal' is not a target term")
  }, 300_000)

  it('dsl plan --all / --target: test=True on each machine through the master and salt-ssh, nothing applied', () => {
    const plan = (args: readonly string[]) =>
      dsl(['plan', 'test/fleet/fixture', '--out', out, '--no-typecheck', ...args], env())
    // a machine drifted: its marker is gone; a plan says it would be created, and leaves it gone
    rmSync(join(root, 'minimal.txt'))
    const all = plan(['--all', '--detailed-exitcode'])
    expect(all.status, all.stdout + all.stderr).toBe(2)
    expect(all.stdout).toMatch(/^planning 2 machine\(s\) through the salt-master: fleet-min, fleet-work$/m)
    expect(all.stdout).toMatch(/^planning 1 machine\(s\) through salt-ssh: fleet-ssh$/m)
    expect(all.stdout).toMatch(
      /^fleet-min +ok +1 to create, 0 to change, 0 to remove, 1 unchanged \(2 states\)$/m,
    )
    expect(all.stdout).toMatch(
      /^ {4}\+ create file\.managed minimal marker {2}test\/fleet\/fixture\/index\.ts:13$/m,
    )
    expect(all.stdout).toMatch(/^fleet-ssh +ok +0 to create, 0 to change, 0 to remove, 1 unchanged/m)
    expect(all.stdout).toMatch(/^machine +via +result +to change +failed +unchanged +time$/m)
    expect(all.stdout).toMatch(/^fleet-min +master +ok +1 +0 +1 /m)
    expect(all.stdout).toMatch(/^3 of 3 machine\(s\) planned without failure; \d would change$/m)
    expect(existsSync(join(root, 'minimal.txt'))).toBe(false)

    // the ssh host has nothing to do: exit 0 with --detailed-exitcode
    const ssh = plan(['--target', 'via=ssh', '--detailed-exitcode', '--format', 'json'])
    expect(ssh.status, ssh.stdout + ssh.stderr).toBe(0)
    const json = JSON.parse(ssh.stdout) as FleetJson & { plan: boolean }
    expect(json.plan).toBe(true)
    expect(json.machines.map((m) => `${m.id}: ${m.result}`)).toEqual(['fleet-ssh: ok'])
    // without --detailed-exitcode, changes to come are not a failure
    expect(plan(['--target', 'profile=minimal']).status).toBe(0)
    // a plan is not an apply: each machine's last apply is unchanged in dsl fleet status
    const status = dsl(['fleet', 'status', '--out', out, '--format', 'json'], env())
    const min = (JSON.parse(status.stdout) as { machines: { id: string; result: string }[] }).machines
    expect(min.find((m) => m.id === 'fleet-min')?.result).toBe('ok')
    apply(['--target', 'profile=minimal'])
    expect(readFileSync(join(root, 'minimal.txt'), 'utf8')).toBe('minimal\n')
  }, 300_000)

  it('an operator limited to profile=minimal cannot apply to a work machine: the master refuses', () => {
    expect(readFileSync(join(out, 'master.d/salt-dsl.conf'), 'utf8')).toContain(
      '  opmin:\n    - L@fleet-min:\n      - state.apply\n',
    )
    // opmin runs dsl through sudo: Salt sees the caller as sudo_opmin and applies opmin's publisher_acl
    const denied = apply(['--target', 'profile=work'], { SUDO_USER: 'opmin' })
    expect(denied.status, denied.stdout + denied.stderr).toBe(1)
    expect(denied.stdout).toMatch(
      /^fleet-work +refused +the master refused the job: Authorization error occurred/m,
    )
    const allowed = apply(['--target', 'profile=minimal'], { SUDO_USER: 'opmin' })
    expect(allowed.status, allowed.stdout + allowed.stderr).toBe(0)
    expect(allowed.stdout).toMatch(/^fleet-min +ok /m)
    // an operator the config does not name gets nothing
    const stranger = apply(['--target', 'profile=minimal'], { SUDO_USER: 'mallory' })
    expect(stranger.status).toBe(1)
    expect(stranger.stdout).toMatch(/^fleet-min +refused /m)

    // every fleet run is in the audit log of the store on the master: who, what was served, which
    // machines, each one's result; the hash chain verifies
    const audit = dsl(['audit'], env())
    expect(audit.status, audit.stdout + audit.stderr).toBe(0)
    expect(audit.stdout).toMatch(
      / {2}fleet apply --all of published generation \d+ \(Salt job \d+\): fleet-min ok \(\d changed\), fleet-work ok \(\d changed\), fleet-ssh ok \(\d changed\)$/m,
    )
    expect(audit.stdout).toMatch(
      / {2}fleet plan --target via=ssh of published generation \d+: fleet-ssh ok \(0 to change\)$/m,
    )
    expect(audit.stdout).toMatch(
      / {2}fleet apply --target profile=work of published generation \d+ as operator opmin: fleet-work refused$/m,
    )
    expect(audit.stdout).toMatch(/as operator mallory: fleet-min refused$/m)
    expect(audit.stdout).toMatch(/line\(s\); the hash chain verifies$/m)
    const lines = (
      JSON.parse(dsl(['audit', '--format', 'json'], env()).stdout) as {
        entries: {
          action: string
          summary?: { selection: string; machines: { id: string; result: string }[] }
        }[]
      }
    ).entries.filter((e) => e.action === 'fleet apply')
    expect(lines.at(-1)?.summary).toMatchObject({
      operator: 'mallory',
      selection: '--target profile=minimal',
      machines: [{ id: 'fleet-min', via: 'master', result: 'refused' }],
    })
  }, 300_000)

  it('a minion killed mid-run is reported with no return; the other machine succeeds', async () => {
    // a new tree: the work machine's slow step now sleeps long enough to be stopped while it runs
    rmSync(join(root, 'work-started'), { force: true })
    const child = spawn(
      process.execPath,
      [
        join(REPO, 'bin/dsl.js'),
        'apply',
        'test/fleet/fixture',
        '--out',
        out,
        '--no-typecheck',
        '--yes',
        '--all',
      ],
      {
        cwd: REPO,
        env: { ...process.env, ...env({ FLEET_SLEEP: '600' }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    const ended = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)))
    expect(await until(() => existsSync(join(root, 'work-started')), 240)).toBe(true)
    fleet.killMinion('fleet-work')
    const code = await ended
    expect(code, stdout).toBe(1)
    expect(stdout).toMatch(/^fleet-min +ok /m)
    expect(stdout).toMatch(/^fleet-work +no return +the minion stopped answering/m)
    expect(stdout).toMatch(/^fleet-work +master +no return/m)
    expect(stdout).toMatch(/^fleet-ssh +ok /m)
    expect(stdout).toContain('2 of 3 machine(s) applied without failure')

    const status = dsl(['fleet', 'status', '--out', out, '--format', 'json'], env())
    expect(status.status, status.stderr).toBe(0)
    const rows = (JSON.parse(status.stdout) as { machines: Record<string, unknown>[] }).machines
    expect(rows.find((r) => r.id === 'fleet-work')).toMatchObject({
      key: 'accepted',
      reachable: 'no',
      result: 'no return',
    })
    expect(rows.find((r) => r.id === 'fleet-min')).toMatchObject({
      key: 'accepted',
      reachable: 'yes',
      result: 'ok',
    })
    expect(rows.find((r) => r.id === 'fleet-ssh')).toMatchObject({ key: '-', reachable: 'yes', result: 'ok' })
    const text = dsl(['fleet', 'status', '--out', out], env())
    expect(text.stdout).toMatch(/^machine +via +profile +key +reachable +last apply +result$/m)
    expect(text.stdout).toMatch(/^fleet-work +master +work +accepted +no +\S+ +no return$/m)
  }, 400_000)
})
