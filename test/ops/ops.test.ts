import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changed, failed, PREFLIGHT_IDS, runs, throwawayUser } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'
import { type MinionSpec, SaltOracle } from '../support/salt.ts'

const MODULES = [
  'preflight',
  ...['', '.system', '.packages', '.configs', '.services'].map((s) => `validation${s}`),
  ...['', '.updates', '.cleanup', '.backup'].map((s) => `maintenance${s}`),
  ...['', '.inventory', '.status', '.compliance'].map((s) => `reporting${s}`),
  ...['', '.pre_flight', '.installation', '.configuration', '.validation', '.cleanup'].map(
    (s) => `orchestrate${s}`,
  ),
]

describe('ops: pre-flight, validation, maintenance, reporting, orchestrate (real Salt, as root)', () => {
  let oracle: SaltOracle
  let spec: MinionSpec
  let server: Server
  let user: ReturnType<typeof throwawayUser>
  const root = join(tempDir('salt-dsl-ops-'), 'root')
  const reports = join(tempDir('salt-dsl-reports-'), 'reports')
  let pillar: Record<string, unknown>
  const apply = (sls: string[] = [], extra: Record<string, unknown> = {}) =>
    oracle.call(spec, 'state.apply', sls.length > 0 ? [sls.join(',')] : [], {
      pillar: { ops: { ...(pillar.ops as object), ...extra } },
    })

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    user = throwawayUser()
    const out = join(tempDir(), 'out')
    const run = dsl(['build', 'test/ops/fixture', '--out', out], { OPS_USER: user.name, OPS_ROOT: root })
    expect(run.status, run.stderr).toBe(0)
    spec = { id: 'ops-test', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
    pillar = {
      ops: {
        preflight: { package_source_url: `http://127.0.0.1:${port}/`, network_timeout_s: 5 },
        reports: { dir: reports },
      },
    }
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle?.close()
    server?.close()
    user?.remove()
    rmSync(root, { recursive: true, force: true })
  })

  it('every ops module renders in Salt (state.show_sls)', async () => {
    for (const mod of MODULES) {
      const shown = await oracle.call(spec, 'state.show_sls', [mod])
      expect(Array.isArray(shown.data), `${mod}: ${JSON.stringify(shown.data)}`).toBe(false)
      expect(shown.retcode, mod).toBe(0)
    }
    const orch = await oracle.call(spec, 'state.show_sls', ['orchestrate'])
    const steps = Object.values(orch.data as Record<string, Record<string, unknown>>).map((s) => s.__sls__)
    expect(steps).toEqual(expect.arrayContaining(['orchestrate.pre_flight', 'orchestrate.cleanup']))
  })

  it('applies with pre-flight first and validation last, then converges with zero changes', async () => {
    const first = await apply()
    expect(failed(first.data)).toEqual([])
    const ids = runs(first.data).map((r) => r.__id__)
    expect(ids.slice(0, PREFLIGHT_IDS.length)).toEqual(PREFLIGHT_IDS)
    expect(ids.at(-1)).toMatch(/^validate: /)
    expect(ids.filter((id) => id.startsWith('validate: ')).length).toBeGreaterThanOrEqual(9)
    expect(changed((await apply()).data)).toEqual([])
    const predicted = await oracle.call(spec, 'state.apply', [], { test: true, pillar })
    expect(changed(predicted.data)).toEqual([])
    expect(failed(predicted.data)).toEqual([])
  })

  it('a failing pre-flight check stops the run: nothing after it runs', async () => {
    rmSync(join(root, 'etc', 'app.conf'), { force: true })
    const run = await apply([], { preflight: { ...(pillar.ops as any).preflight, min_disk_mb: 1e9 } })
    expect(run.retcode).not.toBe(0)
    const ids = runs(run.data).map((r) => r.__id__)
    expect(ids).toEqual(['pre-flight: ops pillar', 'pre-flight: Salt version', 'pre-flight: disk space'])
    expect(failed(run.data)).toEqual([expect.stringContaining('less than 1000000000 MB free under /')])
    expect(existsSync(join(root, 'etc', 'app.conf'))).toBe(false)
    // an unreachable package source stops it too
    const offline = await apply([], { preflight: { package_source_url: 'http://127.0.0.1:9/' } })
    expect(failed(offline.data)).toEqual([expect.stringContaining('package source does not answer')])
    expect(existsSync(join(root, 'etc', 'app.conf'))).toBe(false)
  })

  it('validation fails on a broken gitconfig, and passes again once applied', async () => {
    expect(failed((await apply()).data)).toEqual([])
    const gitconfig = join(user.home, '.gitconfig')
    writeFileSync(gitconfig, '[user\n\tname = broken\n')
    const run = await apply(['validation'])
    expect(failed(run.data)).toEqual([expect.stringContaining(`does not pass git's syntax check`)])
    expect(changed(run.data)).toEqual([])
    expect(failed((await apply()).data)).toEqual([])
  })

  it('reports are JSON matching the machine', async () => {
    const run = await apply(['reporting'])
    expect(failed(run.data)).toEqual([])
    const inventory = JSON.parse(readFileSync(join(reports, 'inventory.json'), 'utf8'))
    const git = inventory.declared_packages.find((p: { name: string }) => p.name === 'git')
    const version = execFileSync('dpkg-query', ['-W', '-f=$' + '{Version}', 'git'], { encoding: 'utf8' })
    expect(git).toMatchObject({ installed: true, version, state: 'git' })
    expect(inventory.installed_packages.git).toBe(version)
    const status = JSON.parse(readFileSync(join(reports, 'status.json'), 'utf8'))
    const link = status.managed_files.find((f: { path: string }) => f.path.endsWith('/.tmux.conf'))
    expect(link).toMatchObject({
      kind: 'symlink',
      type: 'link',
      ok: true,
      link_target: '.dotfiles/tmux.conf',
    })
    expect(status.managed_files.every((f: { ok: boolean }) => f.ok)).toBe(true)
    expect(typeof status.available_updates).toBe('object')
    const compliance = JSON.parse(readFileSync(join(reports, 'compliance.json'), 'utf8'))
    expect(compliance).toMatchObject({ profile: 'minimal', applies: false })
    const byId = Object.fromEntries(compliance.checks.map((c: { id: string }) => [c.id, c]))
    expect(byId.declared_packages_installed.passed).toBe(true)
    expect(byId.config_backups_enabled.passed).toBe(true)
    expect(byId.automatic_updates_enabled.passed).toBe(false)
    // an unchanged machine gives unchanged reports
    expect(changed((await apply(['reporting'])).data)).toEqual([])
  })

  it('maintenance backs up the managed configs into the backup dir', async () => {
    const backups = join(tempDir('salt-dsl-backups-'), 'b')
    const old = join(backups, 'configs-20000101T000000Z.tar.gz')
    execFileSync('sh', ['-c', `mkdir -p ${backups} && touch -d '40 days ago' ${old}`])
    const run = await apply(['maintenance'], { backups: { dir: backups, keep_days: 30 } })
    expect(failed(run.data)).toEqual([])
    expect(runs(run.data).find((r) => r.__id__.includes('back up'))?.comment).toMatch(/backed up \d+ files/)
    const list = execFileSync('sh', ['-c', `tar -tzf ${backups}/configs-*.tar.gz`], { encoding: 'utf8' })
    expect(list).toContain(`${user.home}/.gitconfig`)
    expect(existsSync(old)).toBe(false) // older than keep_days: tidied
  })
})
