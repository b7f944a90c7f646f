// dsl import packages on this host: the list is Salt's pkg.list_pkgs narrowed to what apt-mark says was
// installed by hand, and the written module builds into an SLS Salt renders as one pkg.installed of them.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'
import { GRAINS, SaltOracle } from '../support/salt.ts'

let oracle: SaltOracle
beforeAll(async () => {
  oracle = await SaltOracle.start()
})
afterAll(async () => {
  await oracle?.close()
})

describe('dsl import packages', () => {
  it("writes this Debian host's hand-installed packages as a list and an SLS that installs them", async () => {
    const dir = tempDir()
    const imported = dsl(['import', 'packages', '--to', join(dir, 'packages.ts')])
    expect(imported.status, imported.stdout + imported.stderr).toBe(0)

    // the real package managers, asked directly
    const manual = spawnSync('apt-mark', ['showmanual'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
    const installed = await oracle.call({ id: 'host', fileRoot: dir, pillarRoot: dir }, 'pkg.list_pkgs')
    const expected = manual.filter((n) => n in (installed.data as Record<string, unknown>)).sort()
    expect(expected.length).toBeGreaterThan(0)
    const text = readFileSync(join(dir, 'packages.ts'), 'utf8')
    const listed = [...text.matchAll(/^ {2}"([^"]+)",$/gm)].map((m) => m[1])
    expect(listed).toEqual(expected)

    // a config using it builds, and Salt renders one pkg.installed with those packages
    writeFileSync(
      join(dir, 'index.ts'),
      [
        "import { inventory, profile } from 'salt-dsl'",
        "import { packages } from './packages.ts'",
        "inventory({ machines: { host: { platform: 'debian', environment: 'imported', profile: profile('base', { sls: [packages] }) } } })",
        '',
      ].join('\n'),
    )
    const out = join(dir, 'out')
    const built = dsl(['build', dir, '--out', out])
    expect(built.status, built.stdout + built.stderr).toBe(0)
    const high = await oracle.call(
      { id: 'host', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar'), grains: GRAINS.debian },
      'state.show_sls',
      ['packages'],
    )
    const pkgArgs = (high.data as Record<string, { pkg: unknown[] }>).installed_packages?.pkg
    expect(pkgArgs).toContainEqual({ pkgs: expected })
    expect(pkgArgs).toContain('installed')
  })
})
