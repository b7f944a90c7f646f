// include: the author's order, a condition per include, and a requisite into an SLS the author includes
// only under a condition (then the include must hold everywhere, or Salt would miss the target).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'

function build(index: string): string {
  const dir = tempDir()
  mkdirSync(join(dir, 'config'))
  writeFileSync(join(dir, 'config/index.ts'), index)
  const out = join(dir, 'out')
  const run = dsl(['build', join(dir, 'config'), '--out', out, '--no-typecheck'])
  expect(run.status, run.stdout + run.stderr).toBe(0)
  return out
}

const HEAD = `import { eq, grains, pkg, sls, top } from 'salt-dsl'
const c = sls('c', () => ({ p: pkg('c-pkg') }))
const a = sls('a', () => { pkg('a-pkg') })
const b = sls('b', () => { pkg('b-pkg') })
`

describe('include', () => {
  it("keeps the author's order and puts a condition around a conditional one", () => {
    const out = build(`${HEAD}
const main = sls('main', () => { pkg('m') }, { include: [c, { sls: a, when: eq(grains.os_family, 'Debian') }, b] })
top('*', [main])
`)
    const text = readFileSync(join(out, 'salt/main.sls'), 'utf8')
    expect(text).toContain(
      `include:\n  - c\n{% if salt['grains.get']("os_family") == "Debian" %}\n  - a\n{% endif %}\n  - b\n`,
    )
  })

  it('makes a conditional include unconditional when a requisite needs a state of it', () => {
    const out = build(`${HEAD}
const main = sls('main', () => { pkg('m', { require: [c.p] }) }, { include: [{ sls: c, when: eq(grains.os_family, 'Debian') }, b] })
top('*', [main])
`)
    const text = readFileSync(join(out, 'salt/main.sls'), 'utf8')
    expect(text).toContain('include:\n  - c\n  - b\n')
    expect(text).not.toContain('{% if')
  })
})
