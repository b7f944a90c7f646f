import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, readTree, tempDir } from '../support/cli.ts'

const EXAMPLES = ['hello', 'requisites', 'dotfiles']
const GOLDEN = join(REPO, 'test/golden')
const OUT = '<OUT>'

/**
 * The tree with the (temporary) out path replaced, and the manifest's source hash masked: it covers the
 * salt-dsl sources too, so it changes with every edit of the library (tested separately below).
 */
function normalized(out: string): Map<string, string> {
  const tree = new Map<string, string>()
  for (const [path, bytes] of readTree(out)) {
    const text = bytes.toString('utf8').replaceAll(out, OUT)
    tree.set(
      path,
      path === 'manifest.json' ? text.replace(/"source": "[0-9a-f]{64}"/, '"source": "<sha256>"') : text,
    )
  }
  return tree
}

describe('golden trees (UPDATE_GOLDEN=1 rewrites them)', () => {
  it.each(EXAMPLES)('examples/%s emits exactly the golden tree', (name) => {
    const out = join(tempDir(), 'out')
    const run = dsl(['build', `examples/${name}`, '--out', out], {
      HELLO_ROOT: '',
      REQUISITES_ROOT: '',
      DOTFILES_USER: '',
    })
    expect(run.status, run.stderr).toBe(0)
    const tree = normalized(out)
    const golden = join(GOLDEN, name)
    if (process.env.UPDATE_GOLDEN) {
      rmSync(golden, { recursive: true, force: true })
      for (const [path, text] of tree) {
        mkdirSync(dirname(join(golden, path)), { recursive: true })
        writeFileSync(join(golden, path), text)
      }
    }
    const expected = new Map([...readTree(golden)].map(([p, b]) => [p, b.toString('utf8')]))
    expect([...tree.keys()]).toEqual([...expected.keys()])
    for (const [path, text] of tree) expect(text, path).toBe(expected.get(path))
  })

  it('the same input gives a byte-identical tree (twice, and from another working directory)', () => {
    const a = join(tempDir(), 'out')
    const b = join(tempDir(), 'out')
    expect(dsl(['build', 'examples/requisites', '--out', a]).status).toBe(0)
    expect(dsl(['build', join(REPO, 'examples/requisites'), '--out', b], {}, tempDir()).status).toBe(0)
    const [x, y] = [normalized(a), normalized(b)]
    expect(readTree(a).get('manifest.json')).toEqual(readTree(b).get('manifest.json'))
    expect([...x.keys()]).toEqual([...y.keys()])
    for (const [path, text] of x) expect(y.get(path), path).toBe(text)
  })
})
