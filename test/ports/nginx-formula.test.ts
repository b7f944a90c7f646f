// Using existing Salt, for real: saltstack-formulas/nginx-formula (vendored unchanged, Apache-2.0) shipped
// with saltDir(), and a TypeScript site that requires its package and extends its service through
// external() handles. Salt renders it as the formula plus a hand-written site, for an Ubuntu and a Rocky
// machine, and `dsl check --salt` finds each handle in Salt's render.

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO } from '../support/cli.ts'
import { type BuiltPort, buildPort, comparePort, type Port } from '../support/port.ts'
import { SaltOracle } from '../support/salt.ts'

const PORT: Port = { name: 'nginx-formula', sls: ['nginx', 'site'] }
let oracle: SaltOracle
let built: BuiltPort

beforeAll(async () => {
  oracle = await SaltOracle.start()
  built = await buildPort(PORT)
})
afterAll(async () => {
  await oracle?.close()
})

describe('the real nginx-formula, vendored', () => {
  it('web-deb and web-rh render as the formula with a hand-written site', async () => {
    for (const id of ['web-deb', 'web-rh']) {
      const views = await comparePort(oracle, PORT, built, id)
      const high = views['state.show_highstate'] as Record<string, unknown>
      expect(Object.keys(high)).toEqual(
        expect.arrayContaining(['nginx_install', 'nginx_service', 'site_conf']),
      )
    }
  })

  it('dsl check --salt finds every external handle in Salt’s render of both machines', () => {
    const run = dsl(['check', join(REPO, 'test/fixtures/ports/nginx-formula/ts'), '--salt'])
    expect(run.status, run.stdout + run.stderr).toBe(0)
    expect(run.stdout + run.stderr).toContain('2 machines rendered by Salt as predicted')
  })
})
