import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { stageTree } from '../../compiler/write/write-tree.ts'
import { readTree, removeTempDirs, tempDir } from '../support/cli.ts'

afterEach(removeTempDirs)

/** A previous tree, as a build leaves it (its manifest names the generator). */
function previousTree(): string {
  const out = join(tempDir(), 'out')
  mkdirSync(join(out, 'salt'), { recursive: true })
  writeFileSync(join(out, 'manifest.json'), '{\n  "generator": "salt-dsl 0.1.0"\n}\n')
  writeFileSync(join(out, 'salt', 'old.sls'), 'old: {}\n')
  return out
}

describe('a tree staged while it is emitted', () => {
  it('holds the files put during emit and the rest of the tree once committed, and nothing else', async () => {
    const out = previousTree()
    const staged = await stageTree(out)
    staged.put('salt/a.sls', 'a: {}\n')
    staged.put('salt/deep/b.sls', 'b: {}\n')
    const tree = new Map<string, string | Uint8Array>([
      ['salt/a.sls', 'a: {}\n'],
      ['salt/deep/b.sls', 'b: {}\n'],
      ['salt/files/x.bin', new Uint8Array([0, 1, 2])],
      ['manifest.json', '{\n  "generator": "salt-dsl 0.1.0"\n}\n'],
    ])
    await staged.commit(tree)
    const written = readTree(out)
    expect([...written.keys()]).toEqual([
      'manifest.json',
      'salt/a.sls',
      'salt/deep/b.sls',
      'salt/files/x.bin',
    ])
    expect(written.get('salt/files/x.bin')).toEqual(Buffer.from([0, 1, 2]))
    expect(readdirSync(join(out, '..'))).toEqual(['out'])
  })

  it('leaves the previous tree byte-identical, and no staging dir, when a write fails', async () => {
    const out = previousTree()
    const before = readTree(out)
    const staged = await stageTree(out)
    // a file where the next one needs a directory: the writer thread cannot write it
    staged.put('salt/a', 'a\n')
    staged.put('salt/a/b.sls', 'b: {}\n')
    await expect(staged.commit(new Map([['salt/a', 'a\n']]))).rejects.toThrow(/cannot write the tree/)
    expect(readTree(out)).toEqual(before)
    expect(readdirSync(join(out, '..'))).toEqual(['out'])
  })

  it('leaves the previous tree as it was when discarded (a build that failed)', async () => {
    const out = previousTree()
    const before = readTree(out)
    const staged = await stageTree(out)
    staged.put('salt/new.sls', 'new: {}\n')
    await staged.discard()
    expect(readTree(out)).toEqual(before)
    expect(readdirSync(join(out, '..'))).toEqual(['out'])
  })

  it('refuses, before anything is written, an out/ it did not write', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'thesis.tex'), 'years of work\n')
    await expect(stageTree(dir)).rejects.toThrow(/refusing to replace it/)
    expect(readdirSync(dir)).toEqual(['thesis.tex'])
  })
})
