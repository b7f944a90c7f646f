// Using existing Salt: the hand-written nginx formula vendored under the config (saltDir) ships as it is,
// and a TypeScript site reaches its states through external() handles (a requisite and an extend). Salt
// renders it as the all-hand-written tree; `dsl check --salt` verifies each external ID per machine.
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, readTree, tempDir } from '../support/cli.ts'
import { type BuiltPort, buildPort, comparePort, type Port } from '../support/port.ts'
import { SaltOracle, saltCallPath } from '../support/salt.ts'

const PORT: Port = { name: 'nginx-vendored', sls: ['nginx', 'site'] }
const ENTRY = join(REPO, 'test/fixtures/ports/nginx-vendored/ts')
let oracle: SaltOracle
let built: BuiltPort

beforeAll(async () => {
  oracle = await SaltOracle.start()
  built = await buildPort(PORT)
})
afterAll(async () => {
  await oracle?.close()
})

describe('nginx formula vendored (saltDir + external)', () => {
  it('ships the formula byte for byte under salt/nginx/', () => {
    const formula = readTree(join(ENTRY, 'vendor/nginx-formula/nginx'))
    const shipped = readTree(join(built.out, 'salt/nginx'))
    expect([...shipped.keys()]).toEqual([...formula.keys()])
    for (const [path, bytes] of formula) expect(shipped.get(path)?.equals(bytes), path).toBe(true)
  })

  it("the manifest holds the tree's own states only: no row for a handle on the formula or an extend of it", () => {
    const manifest = JSON.parse(readFileSync(join(built.out, 'manifest.json'), 'utf8')) as {
      states: Record<string, unknown[]>
    }
    // a plan maps Salt's results by these rows, and a prune undoes an ID that leaves them: never the formula's
    expect(Object.keys(manifest.states)).toEqual(['site_conf'])
  })

  it('renders as the hand-written tree on both machines', async () => {
    for (const id of ['web-deb', 'web-rh']) await comparePort(oracle, PORT, built, id)
  })

  it('dsl check --salt: agrees, and names an external ID or module the formula does not have', () => {
    saltCallPath() // fails, never skips, without Salt
    const good = dsl(['check', ENTRY, '--salt'])
    expect(good.status, good.stdout + good.stderr).toBe(0)
    expect(good.stderr + good.stdout).toContain('2 machines rendered by Salt as predicted')
    // GIVEN a copy whose handles name a missing ID and the wrong module
    const bad = join(tempDir(), 'ts')
    cpSync(ENTRY, bad, { recursive: true })
    const index = join(bad, 'index.ts')
    const text = readFileSync(index, 'utf8')
      .replace("external(nginx, 'service', 'nginx_service')", "external(nginx, 'service', 'nginx_svc')")
      .replace("external(nginx, 'pkg', 'nginx_pkg')", "external(nginx, 'file', 'nginx_pkg')")
    writeFileSync(index, text)
    // WHEN Salt renders every machine
    const run = dsl(['check', bad, '--salt', '--format', 'json'])
    // THEN each handle is reported at its line, for each machine
    expect(run.status).toBe(1)
    const found = (
      JSON.parse(run.stdout) as { diagnostics: { code: string; message: string }[] }
    ).diagnostics.filter((d) => d.code === 'DSL4061')
    expect(found.map((d) => d.message).sort()).toEqual([
      "machine 'web-deb': external('nginx', 'file', 'nginx_pkg') is not in Salt's render: it has 'nginx_pkg' in SLS 'nginx.pkg' with pkg",
      "machine 'web-deb': external('nginx', 'service', 'nginx_svc') is not in Salt's render: it has no such ID",
      "machine 'web-rh': external('nginx', 'file', 'nginx_pkg') is not in Salt's render: it has 'nginx_pkg' in SLS 'nginx.pkg' with pkg",
      "machine 'web-rh': external('nginx', 'service', 'nginx_svc') is not in Salt's render: it has no such ID",
    ])
  })
})
