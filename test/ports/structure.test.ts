// Structure Salt has and the DSL now says: byPlatform keyed by os_family / os / osmajorrelease /
// oscodename / osfinger (the most specific wins, as nested grains.filter_by merges do), pillar.get with a
// default, the lower/upper/replace/join/default filters, names: under an ID that is no path, octal modes
// as numbers, and an include only Debian-family machines get. Salt renders the TypeScript and a hand-written
// tree in the community's style the same for an Ubuntu 22.04 and a Rocky 9 machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BuiltPort, buildPort, comparePort, type Port } from '../support/port.ts'
import { SaltOracle } from '../support/salt.ts'

const PORT: Port = { name: 'structure', sls: ['structure'] }
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
const contents = (high: High, id: string) =>
  Object.assign({}, ...((high[id]?.file as unknown[]) ?? []).filter((a) => typeof a === 'object')).contents

const nop = (high: High, id: string) =>
  Object.assign({}, ...((high[id]?.test as unknown[]) ?? []).filter((a) => typeof a === 'object')).value

describe('structure: per-platform values, defaults, filters, names, modes, conditional include', () => {
  it('deb-box (Ubuntu 22.04, app data in pillar) renders as the hand-written tree', async () => {
    const views = await comparePort(oracle, PORT, built, 'deb-box')
    const high = views['state.show_highstate'] as High
    expect(contents(high, 'platform_value')).toBe('jammy-exactly') // osfinger beats os and os_family
    expect(contents(high, 'family_value')).toBe('apt')
    expect(contents(high, 'name_value')).toBe('SHOP-FRONT shop-front Shop_Front')
    expect(contents(high, 'tags_value')).toBe('web,eu')
    expect(contents(high, 'owner_value')).toBe('owner=ops banner=none')
    expect(Object.keys(high)).toContain('apt_https') // the Debian-only include
    expect(nop(high, 'settings_value')).toEqual({
      pkg: 'nginx-core',
      user: 'www-data',
      conf: { workers: 2, gzip: true },
    })
  })

  it('rh-box (Rocky 9, little pillar) renders as the hand-written tree', async () => {
    const views = await comparePort(oracle, PORT, built, 'rh-box')
    const high = views['state.show_highstate'] as High
    expect(contents(high, 'platform_value')).toBe('release-9') // osmajorrelease beats os_family
    expect(contents(high, 'family_value')).toBe('dnf')
    expect(contents(high, 'legacy_value')).toBe('d')
    expect(contents(high, 'name_value')).toBe('ANONYMOUS anonymous no_name')
    expect(contents(high, 'owner_value')).toBe('owner=root banner=none')
    expect(Object.keys(high)).not.toContain('apt_https')
    expect(nop(high, 'settings_value')).toEqual({ pkg: 'nginx', user: 'nginx', conf: { workers: 4 } })
  })
})
