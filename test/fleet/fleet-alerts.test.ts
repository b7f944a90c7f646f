// dsl alerts --fleet on the master raises a minion's failed fleet apply (from the per-machine store the fleet
// run recorded) as the failed-apply alert the machine's own alerts raise, once per condition, to a webhook.
// On the same master: --machine ID of a minion the inventory lacks, its key pending, is refused with the way in.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { startWebhook } from '../support/webhook.ts'
import { type LoopbackFleet, startFleet, until } from './daemons.ts'

// the master holds a sudo'ed caller to their operator ACL (sudo_acl): this file's Salt runs as plain root
delete process.env.SUDO_USER

// the records test's fleet, read as it is: its build machine has a step that fails
const FIXTURE = 'test/fleet/records-fixture'
const ALERTS = 'test/report/fixture/alerts.ts'
const ID = 'rec-build'

interface Received {
  readonly key: string
  readonly kind: string
  readonly machine: string
  readonly message: string
}

// GIVEN the built fleet (no scheduled drift check), a real salt-master loading its master.d and the build
// machine's minion on 127.0.0.1, its key accepted
describe("dsl alerts --fleet raises a minion's failed fleet apply", () => {
  const dir = tempDir()
  const out = join(dir, 'out')
  const stateDir = join(dir, 'state')
  const reports = join(dir, 'reports')
  let fleet: LoopbackFleet
  const env = {
    FLEET_ROOT: join(dir, 'root'),
    FLEET_PUBLISH: join(dir, 'publish'),
    FLEET_FAIL: '1',
    DSL_STATE_DIR: stateDir,
    DSL_SALT_CONFIG: join(dir, 'conf-master'),
  }
  const masterLog = () => {
    const log = join(dir, 'master-root', 'master.log')
    return existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : 'no master log'
  }

  beforeAll(async () => {
    mkdirSync(reports)
    const build = dsl(['build', FIXTURE, '--out', out, '--no-typecheck'], env)
    expect(build.status, build.stderr).toBe(0)
    // this file's own ports: 37800–37899
    fleet = await startFleet({
      dir,
      masterD: join(out, 'master.d'),
      port: 37800 + 2 * Math.floor(Math.random() * 50),
    })
    fleet.startMinion(ID)
    const pending = await until(() =>
      (
        (fleet.salt('salt-key', ['--list=all']).data as { minions_pre?: string[] }).minions_pre ?? []
      ).includes(ID),
    )
    expect(pending, masterLog()).toBe(true)
    const accept = dsl(['fleet', 'accept', ID, '--out', out], env)
    expect(accept.status, accept.stderr).toBe(0)
    const answers = await until(() => {
      const ping = fleet.salt('salt', ['--timeout=5', '-L', ID, 'test.ping', '--static'])
      return JSON.stringify(ping.data) === JSON.stringify({ [ID]: true })
    }, 60)
    expect(answers).toBe(true)
  }, 180_000)

  afterAll(() => {
    fleet?.stop()
    rmSync(env.FLEET_ROOT, { recursive: true, force: true })
  })

  it('each failed apply is sent once, as the machine’s own alerts raise it', async () => {
    const hook = await startWebhook<Received>()
    const { received } = hook
    const alertEnv = {
      ...env,
      ALERT_URL: hook.url,
      ALERT_LOG: join(dir, 'hook.log'),
    }
    // run without blocking this process: the webhook's server lives in it
    const alerts = (args: readonly string[]) =>
      new Promise<{ code: number; stdout: string }>((done) => {
        execFile(
          process.execPath,
          [
            join(REPO, 'bin/dsl.js'),
            'alerts',
            '--config',
            ALERTS,
            '--reports',
            reports,
            '--out',
            out,
            ...args,
          ],
          { cwd: REPO, env: { ...process.env, ...alertEnv } },
          (e, stdout, stderr) => {
            if (e) process.stderr.write(`${stdout}${stderr}`)
            done({ code: e ? Number(e.code ?? -1) : 0, stdout })
          },
        )
      })
    const apply = () => {
      const run = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes', '--machine', ID], env)
      expect(run.status, run.stdout + run.stderr).toBe(1)
      expect(run.stdout).toMatch(new RegExp(`^${ID} +failed `, 'm'))
    }
    try {
      // WHEN the build machine is applied through the master and its step fails
      apply()
      expect(existsSync(join(stateDir, 'machines', ID, 'generations', '1'))).toBe(true)
      // AND the fleet's alerts run on the master
      const first = await alerts(['--fleet'])
      expect(first.code, first.stdout).toBe(0)
      // THEN the failed apply is sent by webhook, once (beside the baseline rule the build machine fails)
      const byKey = (a: Received, b: Received) => a.key.localeCompare(b.key)
      expect(received.map((r) => [r.kind, r.machine, r.key]).sort()).toEqual([
        ['compliance', ID, `compliance:${ID}:baseline:build_cache_clean`],
        ['failed-apply', ID, `failed-apply:${ID}:1`],
      ])
      expect(received.find((r) => r.kind === 'failed-apply')!.message).toBe(
        `generation 1 on ${ID}: 1 failed, 0 blocked`,
      )
      // AND they are the alerts the machine's own alerts raise (read from its store, nothing sent)
      const own = await alerts(['--machine', ID, '--dry-run', '--format', 'json'])
      expect(own.code, own.stdout).toBe(0)
      const active = (JSON.parse(own.stdout) as { active: Received[] }).active
      const shown = (list: Received[]) =>
        [...list].sort(byKey).map(({ key, kind, machine, message }) => ({ key, kind, machine, message }))
      expect(shown(active)).toEqual(shown(received))

      // WHEN the alerts run again with nothing new THEN nothing is sent
      received.length = 0
      expect((await alerts(['--fleet'])).code).toBe(0)
      expect(received).toEqual([])

      // WHEN the next apply fails too THEN that new failure is sent, once (the baseline's is not new)
      apply()
      expect((await alerts(['--fleet'])).code).toBe(0)
      expect((await alerts(['--fleet'])).code).toBe(0)
      expect(received.map((r) => r.key)).toEqual([`failed-apply:${ID}:2`])
    } finally {
      hook.close()
    }
  }, 300_000)

  it('dsl apply --machine of a minion the inventory lacks, its key pending: refused, told to add it and accept it', async () => {
    // GIVEN a minion the inventory lacks, its key pending on the master
    const stray = 'rec-stray'
    fleet.startMinion(stray)
    const pending = await until(() =>
      (
        (fleet.salt('salt-key', ['--list=all']).data as { minions_pre?: string[] }).minions_pre ?? []
      ).includes(stray),
    )
    expect(pending, masterLog()).toBe(true)
    // WHEN it is applied by its id
    const run = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes', '--machine', stray], env)
    // THEN it is refused, naming the inventory's machines, how to add it, and the key to accept then
    expect(run.status, run.stdout + run.stderr).toBe(2)
    expect(run.stderr).toContain(
      `dsl apply: machine '${stray}' is not in the inventory of this fleet (its machines: rec-build, rec-desk); nothing was run.`,
    )
    expect(run.stderr).toContain(`then accept its key, pending on the master: dsl fleet accept ${stray}`)
    expect(run.stdout).not.toContain('published generation')
  }, 120_000)
})
