import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'

describe('the inventory says how each machine is reached', () => {
  it('refuses fleet settings that cannot work, at the inventory', () => {
    const run = dsl(['check', 'test/fleet/bad-fixture'])
    expect(run.status).toBe(1)
    const errors = run.stderr.split('\n').filter((l) => l.includes(' - error '))
    expect(errors).toEqual([
      "test/fleet/bad-fixture/index.ts:8:1 - error DSL4013: machine 'no-host': via 'ssh' without a host",
      "test/fleet/bad-fixture/index.ts:8:1 - error DSL4013: machine 'ssh-on-master': ssh settings on a machine reached via 'master'",
      "test/fleet/bad-fixture/index.ts:8:1 - error DSL4013: operator 'ada': 'profil=minimal' is not a target term: write KEY=VALUE with KEY one of machine, profile, environment, platform, via, or *",
      "test/fleet/bad-fixture/index.ts:8:1 - error DSL4013: fleet publishRoot 'relative/dir' is not an absolute path",
      "test/fleet/bad-fixture/index.ts:8:1 - error DSL4013: fleet driftCheck every '1 hour' is not a duration",
    ])
  })

  it('a masterless config gets no master.d, roster or fleet.json', () => {
    const out = join(tempDir(), 'out')
    const run = dsl(['build', 'test/ops/fixture', '--out', out, '--no-typecheck'])
    expect(run.status, run.stderr).toBe(0)
    for (const f of ['master.d', 'roster', 'fleet.json', 'fleet-pillar'])
      expect(existsSync(join(out, f)), f).toBe(false)
  })

  it('on a tree with no fleet, dsl plan --all keeps its first meaning: list the unchanged states too', () => {
    const dir = tempDir()
    const plan = (...args: string[]) =>
      dsl(['plan', 'test/ops/fixture', '--out', join(dir, 'out'), '--no-typecheck', ...args], {
        DSL_STATE_DIR: join(dir, 'state'),
      })
    const all = plan('--all')
    expect(all.status, all.stderr).toBe(0)
    expect(all.stdout).not.toContain('fleet.json')
    expect(all.stdout).toMatch(
      /^ {2}no-op {2}test\.check_pillar pre-flight: ops pillar {2}config\/ops\/preflight\.ts:\d+$/m,
    )
    expect(plan().stdout).not.toContain('no-op  test.check_pillar')
  }, 120_000)
})

describe('dsl publish', () => {
  it('serves each new tree as a new generation, switched by one rename; an earlier one can be served again', () => {
    const dir = tempDir()
    const out = join(dir, 'out')
    const to = join(dir, 'publish')
    // no master here: the file server refresh is skipped (no master config at DSL_SALT_CONFIG)
    const env = (sleep: string) => ({ FLEET_SLEEP: sleep, DSL_SALT_CONFIG: join(dir, 'no-master') })
    const publish = (sleep: string, ...args: string[]) =>
      dsl(['publish', 'test/fleet/fixture', '--out', out, '--to', to, '--no-typecheck', ...args], env(sleep))
    const served = () => readlinkSync(join(to, 'current'))
    const command = () => readFileSync(join(to, 'current/salt/work.sls'), 'utf8')

    const first = publish('0')
    expect(first.status, first.stderr).toBe(0)
    expect(first.stdout).toBe(`published generation 1: ${to}/current → generations/1\n`)
    expect(lstatSync(join(to, 'current')).isSymbolicLink()).toBe(true)
    expect(served()).toBe('generations/1')
    for (const f of ['salt/top.sls', 'pillar/top.sls', 'manifest.json', 'master.d/salt-dsl.conf', 'roster'])
      expect(existsSync(join(to, 'current', f)), f).toBe(true)

    const same = publish('0')
    expect(same.stdout).toBe(`unchanged: ${to}/current already serves this tree (generation 1)\n`)

    const second = publish('7')
    expect(second.stdout).toBe(`published generation 2: ${to}/current → generations/2\n`)
    expect(command()).toContain('sleep 7')

    const back = dsl(['publish', '--out', out, '--to', to, '--generation', '1'], env('0'))
    expect(back.status, back.stderr).toBe(0)
    expect(back.stdout).toBe(`the master serves generation 1 of ${to} again\n`)
    expect(served()).toBe('generations/1')
    expect(command()).toContain('sleep 0')

    const missing = dsl(['publish', '--out', out, '--to', to, '--generation', '9'], env('0'))
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('no published generation')
  })
})

describe('dsl apply --all with machines reached locally', () => {
  it("applies this host's own machine here (salt-call --local, a generation) and skips one elsewhere", () => {
    const dir = tempDir()
    const file = '/etc/salt/minion_id'
    const here = existsSync(file) ? readFileSync(file, 'utf8').trim() || hostname() : hostname()
    const env = {
      FLEET_HERE: here,
      FLEET_ROOT: join(dir, 'root'),
      FLEET_PUBLISH: join(dir, 'publish'),
      DSL_STATE_DIR: join(dir, 'state'),
    }
    const out = join(dir, 'out')
    const run = dsl(
      ['apply', 'test/fleet/local-fixture', '--out', out, '--no-typecheck', '--yes', '--all'],
      env,
    )
    expect(run.status, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toContain(`applying ${here} on this host (salt-call --local)`)
    expect(run.stdout).toMatch(
      /^\+ create file\.managed here marker {2}test\/fleet\/local-fixture\/index\.ts:7$/m,
    )
    expect(run.stdout).toMatch(new RegExp(`^${here} +local +ok `, 'm'))
    expect(run.stdout).toMatch(/^elsewhere +local +skipped /m)
    expect(readFileSync(join(dir, 'root/here.txt'), 'utf8')).toBe('applied here\n')
    // nothing to serve: the publish root is left alone
    expect(existsSync(join(dir, 'publish'))).toBe(false)
    const generations = dsl(['generations', '--format', 'json'], env)
    expect(generations.stdout).toContain(`"machine": "${here}"`)
  })
})
