// The nginx formula's pattern ported to TypeScript: map.jinja's per-platform defaults under the pillar's
// lookup (byPlatform keyed by os_family and os, withDefault), a config from fallback sources picked by a
// grain, and a site that extends the formula's service from another SLS (emitted as Salt's extend:).
// Salt renders the port and the hand-written formula the same for an Ubuntu machine with pillar data and a
// Rocky machine with a lookup override.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BuiltPort, buildPort, comparePort, type Port } from '../support/port.ts'
import { SaltOracle } from '../support/salt.ts'

const PORT: Port = { name: 'nginx', sls: ['nginx', 'site'] }
let oracle: SaltOracle
let built: BuiltPort

beforeAll(async () => {
  oracle = await SaltOracle.start()
  built = await buildPort(PORT)
})
afterAll(async () => {
  await oracle?.close()
})

type High = Record<string, Record<string, unknown>>
const args = (state: Record<string, unknown> | undefined, module: string) =>
  Object.assign({}, ...((state?.[module] as unknown[]) ?? []).filter((a) => typeof a === 'object'))

describe('nginx formula port', () => {
  it('web-deb (Ubuntu, worker_processes and a site in pillar): the port renders as the original', async () => {
    const views = await comparePort(oracle, PORT, built, 'web-deb')
    const high = views['state.show_highstate'] as High
    expect(args(high.nginx_pkg, 'pkg').name).toBe('nginx-core') // os beats os_family
    const config = args(high.nginx_config, 'file')
    expect(config.source).toEqual([
      'salt://nginx/files/Debian/nginx.conf',
      'salt://nginx/files/default/nginx.conf',
    ])
    expect(config.context).toEqual({ user: 'www-data', worker_processes: 4 })
    expect(args(high.site_conf, 'file').name).toBe('/etc/nginx/conf.d/shop.conf')
    // the site's watch is Salt's extend of the formula's service, not a rewrite of its SLS
    expect(high.__extend__).toEqual([
      { nginx_service: { service: [{ watch: [{ file: 'site_conf' }] }], __sls__: 'site', __env__: 'base' } },
    ])
    const low = views['state.show_lowstate'] as { __id__: string; watch?: unknown }[]
    expect(low.find((c) => c.__id__ === 'nginx_service')?.watch).toContainEqual({ file: 'site_conf' })
  })

  it('the manifest row of nginx_service is the state itself, not the extend of it', () => {
    const manifest = JSON.parse(readFileSync(join(built.out, 'manifest.json'), 'utf8')) as {
      states: Record<string, unknown[]>
    }
    expect(manifest.states.nginx_service?.slice(0, 2)).toEqual(['nginx.service', 'service.running'])
    expect(Object.keys(manifest.states).sort()).toEqual([
      'nginx_config',
      'nginx_pkg',
      'nginx_service',
      'site_conf',
    ])
  })

  it('web-rh (Rocky, a lookup override, no site data): the port renders as the original', async () => {
    const views = await comparePort(oracle, PORT, built, 'web-rh')
    const high = views['state.show_highstate'] as High
    expect(args(high.nginx_pkg, 'pkg').name).toBe('nginx')
    expect(args(high.nginx_config, 'file').context).toEqual({ user: 'www', worker_processes: 'auto' })
    expect(args(high.site_conf, 'file').name).toBe('/etc/nginx/conf.d/default.conf')
  })
})
