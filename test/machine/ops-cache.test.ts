// The bundled config's slow checks are cached with a time-to-live, never skipped: the package-source
// check asks the source again once its stamp is older than the TTL (or names another URL), and the status
// report asks the package manager for updates again once its cache is older than the TTL.
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { failed, throwawayUser } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'
import { type MinionSpec, SaltOracle } from '../support/salt.ts'

describe('ops caches with a TTL (real Salt, as root)', () => {
  let oracle: SaltOracle
  let spec: MinionSpec
  let server: Server
  let url = ''
  let user: ReturnType<typeof throwawayUser>
  let asked = 0
  const root = join(tempDir('salt-dsl-opscache-'), 'root')
  const reports = join(tempDir('salt-dsl-opscache-reports-'), 'reports')
  const stamp = join(reports, '.cache', 'package-source')
  const updates = join(reports, '.cache', 'available-updates.json')
  const apply = (sls: string, preflight: Record<string, unknown> = {}) =>
    oracle.call(spec, 'state.apply', [sls], {
      pillar: {
        ops: {
          preflight: { check_network: true, package_source_url: url, network_timeout_s: 5, ...preflight },
          reports: { dir: reports },
        },
      },
    })
  /** Moves a file's mtime `minutes` into the past, as if it had been written then. */
  const age = (path: string, minutes: number) => {
    const then = new Date(Date.now() - minutes * 60_000)
    utimesSync(path, then, then)
  }

  beforeAll(async () => {
    server = createServer((_req, res) => {
      asked++
      res.end('ok')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    user = throwawayUser()
    const out = join(tempDir(), 'out')
    const run = dsl(['build', 'test/ops/fixture', '--out', out], { OPS_USER: user.name, OPS_ROOT: root })
    expect(run.status, run.stderr).toBe(0)
    spec = { id: 'ops-test', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle?.close()
    server?.close()
    user?.remove()
  })

  it('the package-source check asks once per TTL, again when the stamp is older or the URL changes', async () => {
    // GIVEN no stamp yet: the check asks the source and writes a stamp holding the URL
    const first = await apply('preflight')
    expect(failed(first.data)).toEqual([])
    expect(asked).toBe(1)
    expect(readFileSync(stamp, 'utf8')).toBe(url)
    // WHEN applied again within the TTL THEN the source is not asked
    expect(failed((await apply('preflight')).data)).toEqual([])
    expect(asked).toBe(1)
    // WHEN the stamp is older than the TTL (60 min by default) THEN the check runs again
    age(stamp, 61)
    expect(failed((await apply('preflight')).data)).toEqual([])
    expect(asked).toBe(2)
    // AND a TTL of 0 asks every run
    expect(failed((await apply('preflight', { network_ttl_min: 0 })).data)).toEqual([])
    expect(asked).toBe(3)
    // AND a fresh stamp of another URL does not pass an unreachable source: a failing check still fails
    const dead = await apply('preflight', { package_source_url: 'http://127.0.0.1:9/' })
    expect(failed(dead.data)).toEqual([expect.stringContaining('package source does not answer')])
    expect(readFileSync(stamp, 'utf8')).toBe(url)
  })

  it('the Salt version check compares the running Salt, and fails for a newer minimum', async () => {
    const ok = await apply('preflight', { min_salt_version: '3006.1' })
    expect(failed(ok.data)).toEqual([])
    const newer = await apply('preflight', { min_salt_version: '3008.99' })
    expect(failed(newer.data)).toEqual([
      expect.stringContaining('is older than ops:preflight:min_salt_version'),
    ])
  })

  it('the status report reuses the available updates within the TTL and asks again after it', async () => {
    // GIVEN a real run wrote the cache
    expect(failed((await apply('reporting.status')).data)).toEqual([])
    expect(existsSync(updates)).toBe(true)
    // WHEN the cache holds a marker and is fresh THEN the report shows the cached list
    writeFileSync(updates, JSON.stringify({ 'dsl-cache-marker': '9.9' }))
    expect(failed((await apply('reporting.status')).data)).toEqual([])
    const cached = JSON.parse(readFileSync(join(reports, 'status.json'), 'utf8'))
    expect(cached.available_updates).toEqual({ 'dsl-cache-marker': '9.9' })
    // WHEN the cache is older than the TTL THEN the package manager is asked again, and the cache rewritten
    age(updates, 61)
    expect(failed((await apply('reporting.status')).data)).toEqual([])
    const fresh = JSON.parse(readFileSync(join(reports, 'status.json'), 'utf8'))
    expect(fresh.available_updates).not.toHaveProperty('dsl-cache-marker')
    expect(readFileSync(updates, 'utf8')).not.toContain('dsl-cache-marker')
  })
})
