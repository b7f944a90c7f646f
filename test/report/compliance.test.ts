// dsl compliance on real applies (as root, a throw-away user, store and root for sshd_config) of the
// security baseline, and the baseline's enforcement: the sshd drop-ins written under the temporary root,
// the firewall enabled through a stand-in `ufw` first on PATH (this host's firewall is never touched).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/report/baseline-fixture'
const BASELINE = readFileSync(join(REPO, 'config/ops/baseline.ts'), 'utf8').split('\n')
/** The line of the `state(` that declares rule `id` in config/ops/baseline.ts. */
const ruleLine = (id: string) => {
  const named = BASELINE.findIndex((l) => l.trim() === `'${id}',`)
  let i = named
  while (i > 0 && !/^\s*state\(/.test(BASELINE[i]!)) i--
  return i + 1
}

interface Row {
  machine: string
  source: string
  id: string
  result: string
  severity: string | null
  at: string | null
  comment: string
}
interface Report {
  machines: { machine: string; generation: number; rows: Row[]; blocking: boolean }[]
  blocking: boolean
}

describe('dsl compliance and the enforced baseline (as root, a throw-away user, store and sshd root)', () => {
  let user: ReturnType<typeof throwawayUser>
  let dir: string
  let env: Record<string, string>
  let sshRoot: string
  const apply = (extra: Record<string, string> = {}, args: string[] = []) =>
    dsl(['apply', FIXTURE, '--out', join(dir, 'out'), '--no-typecheck', '--yes', ...args], {
      ...env,
      ...extra,
    })
  const compliance = (args: string[] = []) => dsl(['compliance', ...args], env)
  const json = (args: string[] = []) => {
    const run = compliance([...args, '--format', 'json'])
    return { status: run.status, report: JSON.parse(run.stdout) as Report, stderr: run.stderr }
  }
  const row = (r: Report, id: string, machine?: string) =>
    r.machines.find((m) => machine === undefined || m.machine === machine)?.rows.find((x) => x.id === id)

  beforeAll(() => {
    user = throwawayUser()
    dir = tempDir('salt-dsl-compliance-')
    sshRoot = join(dir, 'root')
    mkdirSync(join(sshRoot, 'etc/ssh'), { recursive: true })
    // Debian's layout: the drop-ins included at the top, then the file's own settings
    writeFileSync(
      join(sshRoot, 'etc/ssh/sshd_config'),
      `Include ${sshRoot}/etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nPasswordAuthentication yes\n`,
    )
    env = {
      MACHINE_HOME: user.home,
      BASELINE_ROOT: sshRoot,
      DSL_STATE_DIR: join(dir, 'state'),
    }
  })
  afterAll(() => user?.remove())

  it('pass, fail and n/a per rule and machine, at the rule’s TypeScript line, with Salt’s comment; exit 1 on a high failure', () => {
    // GIVEN this host applied with sshd allowing passwords but not root, and a clean home
    const first = apply()
    expect(first.status, first.stderr + first.stdout).toBe(0)
    // AND a second machine id without sshd (its SSH rules do not apply)
    const bare = apply({ BASELINE_ROOT: join(dir, 'no-sshd') }, ['--machine', 'bare-box'])
    expect(bare.status, bare.stderr + bare.stdout).toBe(0)

    // WHEN dsl compliance looks at this host
    const one = json(['--machine', hostMachine(dir)])
    // THEN the failed high rule makes it exit 1
    expect(one.status, one.stderr).toBe(1)
    expect(one.report.blocking).toBe(true)
    expect(row(one.report, 'ssh_no_password_auth')).toMatchObject({
      source: 'baseline',
      result: 'fail',
      severity: 'high',
      at: `config/ops/baseline.ts:${ruleLine('ssh_no_password_auth')}`,
      comment: 'FAIL [high] sshd accepts passwords (PasswordAuthentication)',
    })
    expect(row(one.report, 'ssh_no_root_login')).toMatchObject({
      result: 'pass',
      severity: 'high',
      at: `config/ops/baseline.ts:${ruleLine('ssh_no_root_login')}`,
      comment: expect.stringContaining('unless condition is true'),
    })
    expect(row(one.report, 'no_world_writable_in_homes')).toMatchObject({
      result: 'pass',
      severity: 'high',
      at: `config/ops/baseline.ts:${ruleLine('no_world_writable_in_homes')}`,
    })
    // AND the text says the same, failures first
    const text = compliance(['--machine', hostMachine(dir)])
    expect(text.status).toBe(1)
    const lines = text.stdout.split('\n')
    expect(lines[0]).toMatch(/^\S+: generation 1 \(/)
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^  FAIL  high    ssh_no_password_auth +config/ops/baseline\\.ts:${ruleLine('ssh_no_password_auth')}  FAIL \\[high\\] sshd accepts passwords`,
        ),
      ),
    )
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^  PASS  high    ssh_no_root_login +config/ops/baseline\\.ts:${ruleLine('ssh_no_root_login')}  .*unless condition is true`,
        ),
      ),
    )
    expect(lines.findIndex((l) => l.includes('ssh_no_password_auth'))).toBeLessThan(
      lines.findIndex((l) => l.includes('ssh_no_root_login')),
    )

    // WHEN the other machine id is asked for THEN its SSH rules are not applicable, and nothing high fails
    const other = json(['--machine', 'bare-box'])
    expect(row(other.report, 'ssh_no_password_auth')).toMatchObject({
      result: 'n/a',
      comment: expect.stringContaining('onlyif condition is false'),
    })
    expect(other.status).toBe(0)
    // AND --fleet lists both machines, exit 1 for the one
    const fleet = json(['--fleet'])
    expect(fleet.report.machines.map((m) => [m.machine, m.blocking]).sort()).toEqual(
      [
        ['bare-box', false],
        [hostMachine(dir), true],
      ].sort(),
    )
    expect(fleet.status).toBe(1)

    // WHEN a file in the home becomes world-writable THEN that high rule fails too, at its line
    writeFileSync(join(user.home, 'open-to-all'), 'x\n')
    chmodSync(join(user.home, 'open-to-all'), 0o666)
    expect(apply().status).toBe(0)
    expect(row(json().report, 'no_world_writable_in_homes')).toMatchObject({
      result: 'fail',
      severity: 'high',
      comment: `FAIL [high] world-writable files under ${user.home}`,
    })
    chmodSync(join(user.home, 'open-to-all'), 0o644)
  })

  it('enforce ssh: the drop-ins are written where sshd_config is (passwords off only once a key is authorized)', () => {
    const dropins = join(sshRoot, 'etc/ssh/sshd_config.d')
    writeFileSync(
      join(sshRoot, 'etc/ssh/sshd_config'),
      `Include ${dropins}/*.conf\nPermitRootLogin yes\nPasswordAuthentication yes\n`,
    )
    // WHEN enforced while no home has an authorized key THEN root login is turned off, passwords are not
    const first = apply({ BASELINE_ENFORCE: 'ssh' })
    expect(first.status, first.stderr + first.stdout).toBe(0)
    expect(readFileSync(join(dropins, '00-salt-dsl-baseline-root-login.conf'), 'utf8')).toContain(
      'PermitRootLogin no\n',
    )
    expect(existsSync(join(dropins, '00-salt-dsl-baseline-password-auth.conf'))).toBe(false)
    const before = json()
    expect(row(before.report, 'ssh_no_root_login')?.result).toBe('pass')
    expect(row(before.report, 'ssh_no_password_auth')?.result).toBe('fail')
    expect(before.status).toBe(1)
    // WHEN a key is authorized THEN passwords are turned off too, and nothing high fails any more
    mkdirSync(join(user.home, '.ssh'), { recursive: true })
    writeFileSync(join(user.home, '.ssh/authorized_keys'), 'ssh-ed25519 AAAAC3Nza test\n')
    const second = apply({ BASELINE_ENFORCE: 'ssh' })
    expect(second.status, second.stderr + second.stdout).toBe(0)
    expect(readFileSync(join(dropins, '00-salt-dsl-baseline-password-auth.conf'), 'utf8')).toContain(
      'PasswordAuthentication no\n',
    )
    const after = json()
    expect(row(after.report, 'ssh_no_password_auth')?.result).toBe('pass')
    expect(row(after.report, 'ssh_no_root_login')?.result).toBe('pass')
    expect(after.status, JSON.stringify(after.report.machines[0]?.rows)).toBe(0)
  })

  it('enforce firewall: ufw allows sshd’s port, then is enabled; left alone where a firewall is up', () => {
    // a stand-in ufw that records its calls (this host's firewall is never touched)
    const bin = join(dir, 'bin')
    mkdirSync(bin, { recursive: true })
    const state = join(dir, 'ufw-state')
    writeFileSync(
      join(bin, 'ufw'),
      `#!/bin/sh\necho "$*" >> '${state}.log'\ncase "$1" in\n  status) if [ -f '${state}' ]; then echo 'Status: active'; else echo 'Status: inactive'; fi ;;\n  --force) [ "$2" = enable ] && touch '${state}' ;;\nesac\nexit 0\n`,
    )
    chmodSync(join(bin, 'ufw'), 0o755)
    const path = { PATH: `${bin}:${process.env.PATH}`, BASELINE_ENFORCE: 'firewall' }
    const before = json()
    expect(row(before.report, 'firewall_enabled')?.result).toBe('fail')
    // WHEN applied with the firewall enforced
    const run = apply(path)
    expect(run.status, run.stderr + run.stdout).toBe(0)
    // THEN the ssh port is allowed before ufw is enabled, and the rule passes
    const calls = readFileSync(`${state}.log`, 'utf8').trim().split('\n')
    expect(calls.filter((c) => c !== 'status')).toEqual(['allow 22/tcp', '--force enable'])
    expect(row(json().report, 'firewall_enabled')).toMatchObject({ result: 'pass', severity: 'medium' })
    // WHEN applied again THEN the active firewall is left as it is
    writeFileSync(`${state}.log`, '')
    expect(apply(path).status).toBe(0)
    expect(
      readFileSync(`${state}.log`, 'utf8')
        .trim()
        .split('\n')
        .filter((c) => c !== 'status'),
    ).toEqual([])
  })
})

describe('the enforced baseline on the real root, planned only (Salt test=True: nothing is changed)', () => {
  it('renders the sshd drop-ins, the reload and ufw, each at its own line', () => {
    const dir = tempDir('salt-dsl-baseline-plan-')
    const plan = dsl(['plan', FIXTURE, '--out', join(dir, 'out'), '--no-typecheck', '--format', 'json'], {
      BASELINE_ROOT: '/',
      BASELINE_ENFORCE: 'ssh,firewall',
      MACHINE_HOME: join(dir, 'home'),
      DSL_STATE_DIR: join(dir, 'state'),
    })
    expect(plan.status, plan.stderr).toBe(0)
    const states = (
      JSON.parse(plan.stdout) as { states: { id: string; status: string; change: string; line?: number }[] }
    ).states
    const byId = new Map(states.map((s) => [s.id, s]))
    const enforcing = [
      '/etc/ssh/sshd_config.d/00-salt-dsl-baseline-root-login.conf',
      '/etc/ssh/sshd_config.d/00-salt-dsl-baseline-password-auth.conf',
      'baseline: sshd reloaded',
      'baseline: ufw enabled',
    ]
    // planned, never failed (whether this host has sshd_config and ufw decides what they would change)
    for (const id of enforcing) expect(byId.get(id)?.status, id).toMatch(/^(ok|skipped)$/)
    const lines = enforcing.map((id) => byId.get(id)?.line)
    expect(new Set(lines).size, JSON.stringify(lines)).toBe(4)
    // AND the drop-ins would be made only where sshd_config exists
    const dropin = byId.get(enforcing[0]!)?.change
    expect(dropin).toBe(existsSync('/etc/ssh/sshd_config') ? 'create' : 'no-op')
  })
})

/** This host's machine id, as the store's generations name it (the one that is not bare-box). */
function hostMachine(dir: string): string {
  const run = dsl(['compliance', '--fleet', '--format', 'json'], { DSL_STATE_DIR: join(dir, 'state') })
  const ids = (JSON.parse(run.stdout) as Report).machines.map((m) => m.machine)
  return ids.find((id) => id !== 'bare-box')!
}
