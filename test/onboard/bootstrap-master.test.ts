// bootstrap.sh --master: a bare clone of a config repository turns this host into a minion of a real
// salt-master on 127.0.0.1 (own ports and root_dir); the master's operator accepts it with `dsl fleet accept`
// (given the fingerprint the bootstrap printed: Salt's own `key.finger`, checked against `salt-key -f`) and
// applies to it through the master. A minion id the inventory lacks stays pending and gets nothing.
// Every minion the bootstrap starts is a daemon under a temp root_dir, stopped by its pid file's process group.
import { execFileSync, spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceModuleOptions } from '../../machine/service-module.ts'
import { type LoopbackFleet, startFleet, until } from '../fleet/daemons.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'

const SCRIPT = join(REPO, 'bootstrap.sh')
const ID = 'join-box'
const STRANGER = 'join-stranger'

// the master holds a sudo'ed caller to their operator ACL (sudo_acl): this file's Salt runs as plain root
delete process.env.SUDO_USER

/** This host's platform as the bootstrap detects it: the inventory must name the same. */
function hostPlatform(): string {
  const run = spawnSync('sh', [SCRIPT, '--detect-only'], { encoding: 'utf8' })
  const os = /^os=(\S+)/.exec(run.stdout)?.[1]
  if (os === undefined) throw new Error(`bootstrap.sh --detect-only: ${run.stdout}${run.stderr}`)
  return os
}

const CONFIG = `// One machine reached via the master; a new machine onboards with the same profile.
import { file, inventory, profile, sls } from 'salt-dsl'

const root = process.env.JOIN_ROOT || '/tmp/salt-dsl-join'
export const joined = sls('joined', () => {
  file(\`\${root}/joined.txt\`, { contents: 'joined\\n', makedirs: true, id: 'joined marker' })
})
const member = profile('member', { sls: [joined] })
inventory({
  machines: {
    '${ID}': {
      platform: (process.env.JOIN_PLATFORM || 'debian') as 'debian',
      environment: 'personal',
      profile: member,
      users: ['ada'],
      via: 'master',
    },
  },
  onboarding: { environment: 'personal', profile: member },
  fleet: { publishRoot: process.env.JOIN_PUBLISH || '/srv/salt-dsl' },
})
`

describe('bootstrap.sh --master: a new machine registers with a real salt-master', () => {
  const dir = tempDir('salt-dsl-join-')
  const project = join(dir, 'project')
  const out = join(dir, 'out')
  const prefix = join(dir, 'machines')
  const minion = (id: string) => ({ conf: join(dir, `salt-${id}`), root: join(dir, `salt-root-${id}`) })
  let fleet: LoopbackFleet
  let masterPort: number
  const env = {
    JOIN_ROOT: join(dir, 'applied'),
    JOIN_PUBLISH: join(dir, 'publish'),
    JOIN_PLATFORM: hostPlatform(),
    DSL_STATE_DIR: join(dir, 'state'),
    DSL_SALT_CONFIG: join(dir, 'conf-master'),
  }
  const bootstrap = (id: string, log: string, more: Record<string, string> = {}, flags: string[] = []) => {
    const run = spawnSync(
      'sh',
      [SCRIPT, '--repo', join(dir, 'repo.git'), '--prefix', prefix, '--master', '127.0.0.1'].concat([
        '--master-port',
        String(masterPort),
        '--machine',
        id,
        ...flags,
      ]),
      {
        env: {
          ...process.env,
          ...env,
          ...more,
          BOOTSTRAP_LOG: join(dir, log),
          BOOTSTRAP_SALT_CONFIG: minion(id).conf,
          BOOTSTRAP_SALT_ROOT: minion(id).root,
          // never a unit of this host's own init, whatever runs it
          BOOTSTRAP_INIT: 'daemon',
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr }
  }
  const onMaster = (args: readonly string[]) => dsl(args, env, project)
  const keys = () =>
    fleet.salt('salt-key', ['--list=all']).data as { minions: string[]; minions_pre: string[] }
  const pidFile = (id: string) => join(minion(id).root, 'var/run/salt-minion.pid')
  /** The fingerprint the bootstrap printed for the minion's key. */
  const printedFinger = (stdout: string) =>
    /^bootstrap: this minion's key fingerprint: (\S+)$/m.exec(stdout)?.[1]
  // what the bootstrap of ID printed (the test that bootstraps it sets it)
  let finger = ''
  /** Salt's own `pem_finger` (what `key.finger` runs) of a PEM file. */
  const saltFinger = (file: string) =>
    execFileSync(
      join(REPO, '.venv/bin/python'),
      ['-c', 'import sys, salt.utils.crypt; print(salt.utils.crypt.pem_finger(sys.argv[1]))', file],
      { encoding: 'utf8' },
    ).trim()
  /** The fingerprint of the key the master received under `id` (pending), by Salt's `pem_finger`. */
  const receivedFinger = (id: string) => {
    const pem = (fleet.salt('salt-key', ['-p', id]).data as { minions_pre: Record<string, string> })
      .minions_pre[id]
    const file = join(dir, `received-${id}.pub`)
    writeFileSync(file, pem ?? '')
    return saltFinger(file)
  }

  beforeAll(async () => {
    // GIVEN a config repository (a project `dsl init` made, its config replaced) and the master's built tree
    const made = dsl(['init', project, '--yes', '--machine', 'scaffold', '--platform', 'debian'])
    expect(made.status, made.stderr).toBe(0)
    rmSync(join(project, 'config'), { recursive: true })
    execFileSync('mkdir', ['-p', join(project, 'config')])
    writeFileSync(join(project, 'config/index.ts'), CONFIG)
    const git = (...a: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...a], { cwd: dir })
    git('-C', 'project', 'add', '-A')
    git('-C', 'project', 'commit', '-qm', 'my fleet')
    git('clone', '-q', '--bare', 'project', 'repo.git')
    const built = onMaster(['build', 'config', '--out', out, '--no-typecheck'])
    expect(built.status, built.stderr).toBe(0)
    fleet = await startFleet({ dir, masterD: join(out, 'master.d') })
    masterPort = JSON.parse(readFileSync(join(fleet.configDir, 'master'), 'utf8')).ret_port
  }, 180_000)

  afterAll(() => {
    // the bootstrap's minions are daemons: each is its pid file's process group (never found by name)
    for (const id of [ID, STRANGER]) {
      if (!existsSync(pidFile(id))) continue
      const pid = Number(readFileSync(pidFile(id), 'utf8').trim())
      const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : ''
      // the field after the command's closing parenthesis: state, ppid, pgrp
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
      try {
        if (pgrp > 1) process.kill(-pgrp, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    fleet?.stop()
  })

  it('--dry-run says what it would do and writes nothing', () => {
    const run = bootstrap(ID, 'dry.log', {}, ['--dry-run'])
    expect(run.status, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toMatch(
      /^\[7\] minion config: would write .*minion\.d\/salt-dsl\.conf \(master 127\.0\.0\.1\)/m,
    )
    expect(run.stdout).toMatch(/^\[8\] salt-minion: would start salt-minion \(daemon\)/m)
    expect(existsSync(prefix)).toBe(false)
    expect(existsSync(minion(ID).conf)).toBe(false)
  })

  it('installs the minion with its id and grains, starts it, and its key waits as a machine of the inventory', async () => {
    // WHEN the new machine is bootstrapped against the master
    const first = bootstrap(ID, 'first.log')

    // THEN the usual steps, then the minion's settings from the inventory and a running salt-minion
    expect(first.status, first.stdout + first.stderr).toBe(0)
    expect(first.stdout).toMatch(/^\[4\] config repository: cloned into /m)
    expect(first.stdout).toMatch(/^\[6\] Salt: present \(Salt 3008\.4 in /m)
    expect(first.stdout).toMatch(
      new RegExp(
        `^\\[7\\] minion config: wrote .*/minion\\.d/salt-dsl\\.conf \\('${ID}' is in the inventory`,
        'm',
      ),
    )
    expect(first.stdout).toMatch(/^\[8\] salt-minion: started \(pid \d+; pid file .*salt-minion\.pid\)/m)
    finger = printedFinger(first.stdout) ?? ''
    expect(finger, first.stdout).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/)
    expect(first.stdout).toContain(
      `bootstrap: next, on the master: dsl fleet accept ${ID} --fingerprint ${finger} (its key is pending there)`,
    )
    expect(first.stdout).not.toMatch(/plan and apply/)
    const conf = readFileSync(join(minion(ID).conf, 'minion.d/salt-dsl.conf'), 'utf8')
    expect(conf).toContain(`id: ${ID}\nmaster: 127.0.0.1\nmaster_port: ${masterPort}\n`)
    expect(conf).toContain(
      'grains:\n  dsl:\n    environment: personal\n    profile: member\n    users:\n      - ada\n',
    )
    // a host with systemctl but not booted with systemd (this one, in CI): services through init.d
    expect(conf.includes('disable_modules:\n  - systemd_service\n')).toBe(
      serviceModuleOptions().disable_modules !== undefined,
    )
    // the grains Salt reads are those the compiler assumes for the machine
    const assumed = onMaster(['show', 'grains', '--machine', ID, '--format', 'json'])
    expect(assumed.status, assumed.stderr).toBe(0)
    const dslGrain = JSON.parse(assumed.stdout).grains.dsl
    const read = spawnSync(
      join(REPO, '.venv/bin/salt-call'),
      ['--local', '-c', minion(ID).conf, '--out=json', 'grains.get', 'dsl'],
      { encoding: 'utf8' },
    )
    expect(JSON.parse(read.stdout).local, read.stderr).toEqual(dslGrain)

    // the master sees its key pending, and dsl fleet pending finds it in the inventory
    expect(await until(() => (keys().minions_pre ?? []).includes(ID))).toBe(true)
    // the fingerprint printed on the machine is the one of the key the master received
    expect(receivedFinger(ID)).toBe(finger)
    const pending = onMaster(['fleet', 'pending', '--out', out])
    expect(pending.stdout, pending.stderr).toContain(`${ID}  in the inventory: dsl fleet accept ${ID}`)
    // AND the pending list shows the key's fingerprint, the one the machine printed
    expect(pending.stdout).toContain(`  key fingerprint ${finger}: FP is the one ${ID} itself shows`)

    // WHEN run again THEN nothing changes, and each step says so
    const pid = readFileSync(pidFile(ID), 'utf8').trim()
    const second = bootstrap(ID, 'second.log')
    expect(second.status, second.stdout + second.stderr).toBe(0)
    expect(second.stdout).toMatch(/^\[4\] config repository: up to date/m)
    expect(second.stdout).toMatch(/^\[7\] minion config: already up to date/m)
    expect(second.stdout).toMatch(new RegExp(`^\\[8\\] salt-minion: already running \\(pid ${pid};`, 'm'))
    expect(second.stdout).toMatch(/^bootstrap: nothing to do: this machine was already set up/m)
    expect(printedFinger(second.stdout)).toBe(finger)
  }, 300_000)

  it('dsl fleet accept --fingerprint refuses a key of another fingerprint: it stays pending', () => {
    // another key's fingerprint: what the operator holds when the pending key is not the machine's, sent under
    // its name by whoever reached the master first
    const otherPub = join(dir, 'other.pub')
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    writeFileSync(otherPub, publicKey.export({ type: 'spki', format: 'pem' }))
    const other = saltFinger(otherPub)
    expect(other).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/)
    expect(other).not.toBe(finger)
    const refused = onMaster(['fleet', 'accept', ID, '--fingerprint', other, '--out', out])
    expect(refused.status, refused.stdout + refused.stderr).toBe(1)
    expect(refused.stderr).toContain(
      `${ID}: the pending key's fingerprint is ${finger}, not ${other}: its key stays pending.`,
    )
    expect(refused.stderr).toContain('hint: do not accept a key you cannot vouch for')
    expect(keys().minions_pre).toContain(ID)
    expect(keys().minions ?? []).not.toContain(ID)
  }, 120_000)

  it('dsl fleet accept accepts it, and dsl apply --machine applies to it through the master', async () => {
    const accepted = onMaster(['fleet', 'accept', ID, '--fingerprint', finger, '--out', out])
    expect(accepted.status, accepted.stderr).toBe(0)
    expect(accepted.stdout).toBe(`${ID}: key accepted (fingerprint ${finger}, as given)\n`)
    expect(keys().minions).toEqual([ID])
    // the minion retries its sign-in on its own: it answers once the master has its key
    const answers = await until(() => {
      const ping = fleet.salt('salt', [ID, 'test.ping', '--static', '--timeout=5'])
      return JSON.stringify(ping.data) === JSON.stringify({ [ID]: true })
    })
    expect(answers).toBe(true)

    const applied = onMaster(['apply', 'config', '--out', out, '--no-typecheck', '--yes', '--machine', ID])
    expect(applied.status, applied.stdout + applied.stderr).toBe(0)
    expect(applied.stdout).toMatch(new RegExp(`^${ID} +master +ok +1 +0`, 'm'))
    expect(readFileSync(join(env.JOIN_ROOT, 'joined.txt'), 'utf8')).toBe('joined\n')
  }, 180_000)

  it('refuses a machine the inventory gives another platform, or other settings', () => {
    // the clone is there (the test above made it): the run stops at the minion's settings, with the reason
    const fedora = bootstrap(ID, 'fedora.log', {
      BOOTSTRAP_UNAME_S: 'Linux',
      BOOTSTRAP_OS_RELEASE: join(REPO, 'test/onboard/fixtures/os-release/fedora-41'),
    })
    expect(fedora.status).toBe(1)
    expect(fedora.stderr).toContain(
      `bootstrap: this machine cannot join 127.0.0.1: the inventory says '${ID}' is ${env.JOIN_PLATFORM} (config/index.ts:`,
    )
    expect(fedora.stderr).toContain(
      '), this machine is fedora: fix the inventory, or pick another machine id',
    )
    // the minion's settings were left as they were
    expect(readFileSync(join(minion(ID).conf, 'minion.d/salt-dsl.conf'), 'utf8')).toContain(`id: ${ID}\n`)
    const flags = ['fleet', 'minion-config', ID, '--master', 'h', '--platform', env.JOIN_PLATFORM]
    const other = dsl([...flags, '--profile', 'other'], env, project)
    expect(other.status).toBe(1)
    expect(other.stderr).toMatch(
      /the inventory gives 'join-box' profile member \(config\/index\.ts:\d+\), not other/,
    )
  })

  it('a machine the inventory lacks stays pending, gets nothing, and accept refuses with the hint', async () => {
    const run = bootstrap(STRANGER, 'stranger.log')
    expect(run.status, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^\[5\] npm packages: up to date/m)
    expect(run.stdout).toMatch(
      new RegExp(`^\\[7\\] minion config: wrote .*\\('${STRANGER}' is not in the inventory`, 'm'),
    )
    expect(run.stdout).toContain(
      `bootstrap: '${STRANGER}' is not in the inventory: its key stays pending. On the master, add it to inventory({ machines: { '${STRANGER}': { platform: '${env.JOIN_PLATFORM}', environment, profile, via: 'master' } } })`,
    )
    // it onboards with the onboarding's grains: what a new machine of that profile is matched by
    const conf = readFileSync(join(minion(STRANGER).conf, 'minion.d/salt-dsl.conf'), 'utf8')
    expect(conf).toContain('grains:\n  dsl:\n    environment: personal\n    profile: member\n')

    expect(await until(() => (keys().minions_pre ?? []).includes(STRANGER))).toBe(true)
    expect(receivedFinger(STRANGER)).toBe(printedFinger(run.stdout))
    const pending = onMaster(['fleet', 'pending', '--out', out])
    expect(pending.stdout).toContain(
      `${STRANGER}  not in the inventory: add it to inventory({ machines }) first`,
    )
    const refused = onMaster(['fleet', 'accept', STRANGER, '--out', out])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toContain(`'${STRANGER}' is not in the inventory: its key stays pending`)
    expect(refused.stderr).toContain('hint: add it to inventory(')
    expect(keys().minions_pre).toContain(STRANGER)
    expect(keys().minions).toEqual([ID])

    // nothing reaches it: the master targets no minion of that id, and it never fetched a file of the tree
    const ping = fleet.salt('salt', [STRANGER, 'test.ping', '--timeout=5'])
    expect(ping.status).not.toBe(0)
    expect(`${JSON.stringify(ping.data)}${ping.stderr}`).toMatch(/No minions matched/)
    const cache = (id: string) => join(minion(id).root, 'var/cache/salt/minion/files')
    expect(existsSync(cache(ID))).toBe(true)
    expect(existsSync(cache(STRANGER))).toBe(false)

    // WHEN bootstrapped again with other onboarding flags THEN the minion runs with the new settings
    const before = readFileSync(pidFile(STRANGER), 'utf8').trim()
    const again = bootstrap(STRANGER, 'stranger-again.log', {}, ['--user', 'bob'])
    expect(again.status, again.stdout + again.stderr).toBe(0)
    expect(again.stdout).toMatch(/^\[7\] minion config: wrote /m)
    const restarted = /^\[8\] salt-minion: restarted with the new settings \(pid (\d+);/m.exec(again.stdout)
    expect(restarted?.[1], again.stdout).toBeDefined()
    expect(restarted?.[1]).not.toBe(before)
    expect(readFileSync(join(minion(STRANGER).conf, 'minion.d/salt-dsl.conf'), 'utf8')).toContain(
      '    users:\n      - bob\n',
    )
  }, 300_000)
})
