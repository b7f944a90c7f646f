import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { GRAINS } from '../support/salt.ts'
import { configSource, importSalt, useRenderOracle } from './render-oracle.ts'

const MACHINES: Readonly<Record<string, Record<string, unknown>>> = {
  'ubuntu-desk': GRAINS.ubuntu,
  'fedora-vm': GRAINS.fedora,
  'debian-ci': GRAINS.debian,
}

const render = useRenderOracle()

describe('dsl import salt: the tree salt-dsl emits', () => {
  it('imports the bundled config as built, all as TypeScript, and Salt renders it as before on each machine', async () => {
    // GIVEN the bundled config built into a Salt tree
    const dir = tempDir()
    const first = dsl(['build', join(REPO, 'config'), '--out', join(dir, 'first')])
    expect(first.status, first.stdout + first.stderr).toBe(0)
    const salt = join(dir, 'first', 'salt')
    const pillar = join(dir, 'first', 'pillar')
    // WHEN that tree is imported for three machines and built
    const to = join(dir, 'config')
    const imported = importSalt(salt, pillar, to, MACHINES)
    // THEN on each machine every state is TypeScript, builders among them (what differs per machine beyond
    // values is written once per machine under when())
    const shares = [
      ...imported.stdout.matchAll(/^ {2}(\S+): (\d+) builder .*?, (\d+) state\(\) .*?, (\d+) kept/gm),
    ]
    expect(shares.map((m) => m[1])).toEqual(Object.keys(MACHINES))
    for (const m of shares) {
      const [builders, calls, kept] = [Number(m[2]), Number(m[3]), Number(m[4])]
      expect(builders, m[1]).toBeGreaterThan(0)
      expect(builders + calls, m[1]).toBeGreaterThan(0)
      expect(kept, m[1]).toBe(0)
    }
    const source = configSource(to)
    expect(source).toMatch(/order: 'last'/)
    // the dotfiles SLS include the accounts SLS and name its users by the handles it returns
    expect(source).toMatch(/\}, \{ include: \[baseAccounts\] \}\)/)
    expect(source).toMatch(/require: \[baseAccounts\.userAccount\w+\]/)
    expect(source).toMatch(/prereq: \[s\d+\]/)
    // a package list only some machines have, its values differing among them: one copy per machine
    expect(source).toMatch(/sls\('dev\.packages', \(\) => \{\s+when\(eq\(grains\.os, 'Ubuntu'\)/)
    const out = join(dir, 'out')
    const built = dsl(['build', to, '--out', out])
    expect(built.status, built.stdout + built.stderr).toBe(0)
    for (const [id, grains] of Object.entries(MACHINES)) {
      const theirs = await render(id, grains, salt, pillar)
      expect(Object.keys(theirs.highstate as object).length, id).toBeGreaterThan(10)
      const ours = await render(id, grains, join(out, 'salt'), join(out, 'pillar'))
      expect(ours, id).toEqual(theirs)
    }
  })
})
