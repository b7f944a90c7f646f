// A repository guarded by a pillar flag: the function chosen by Salt (pkgrepo.managed / pkgrepo.absent),
// an argument only where the pillar has it, and when() states with require_in / watch_in into
// unconditional ones. Salt renders the port as the hand-written original on a machine with the flags set
// and one without.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BuiltPort, buildPort, comparePort, type Port } from '../support/port.ts'
import { SaltOracle } from '../support/salt.ts'

const PORT: Port = { name: 'nginx-repo', sls: ['nginx'] }
let oracle: SaltOracle
let built: BuiltPort

beforeAll(async () => {
  oracle = await SaltOracle.start()
  built = await buildPort(PORT)
})
afterAll(async () => {
  await oracle?.close()
})

type High = Record<string, Record<string, unknown[]>>

describe('nginx repository port', () => {
  it('web-one (repo, key, mainline, config): the port renders as the original', async () => {
    const high = (await comparePort(oracle, PORT, built, 'web-one'))['state.show_highstate'] as High
    expect(Object.keys(high).sort()).toEqual(['nginx', 'nginx-config', 'nginx-mainline-repo', 'nginx-repo'])
    expect(high['nginx-repo']!.pkgrepo).toContain('managed')
    expect(high['nginx-repo']!.pkgrepo).toContainEqual({
      key_url: 'https://nginx.org/keys/nginx_signing.key',
    })
  })

  it('web-two (no flags): the port renders as the original', async () => {
    const high = (await comparePort(oracle, PORT, built, 'web-two'))['state.show_highstate'] as High
    expect(Object.keys(high).sort()).toEqual(['nginx', 'nginx-repo'])
    expect(high['nginx-repo']!.pkgrepo).toContain('absent')
    expect(JSON.stringify(high['nginx-repo'])).not.toContain('key_url')
  })
})
