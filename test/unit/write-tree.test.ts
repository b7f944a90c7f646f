import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type OutTree, openOut } from '../../compiler/write/write-tree.ts'
import { readTree, removeTempDirs, tempDir } from '../support/cli.ts'

afterEach(removeTempDirs)

/** A tree with a manifest naming its one file (as a build writes it); `hash` overrides the file's hash. */
const TREE = (hash = sha256('old: {}\n')) =>
  new Map<string, string | Uint8Array>([
    ['salt/old.sls', 'old: {}\n'],
    ['manifest.json', `{\n  "generator": "salt-dsl 0.1.0",\n  "files": { "salt/old.sls": "${hash}" }\n}\n`],
  ])

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** out/ as a build leaves it. */
async function previousTree(): Promise<string> {
  const out = join(tempDir(), 'out')
  const opened = await open(out)
  await opened.stage().commit(TREE())
  await opened.close()
  return out
}

async function open(out: string): Promise<OutTree> {
  const opened = await openOut(out)
  expect(opened.diagnostics).toEqual([])
  return opened.value!
}

/** What lies beside out/ and in its generations' directory, but the generations themselves. */
const beside = (out: string) => [
  ...readdirSync(join(out, '..')),
  ...readdirSync(join(out, '..', '.out.d')).filter((n) => !n.startsWith('gen-')),
]

describe('a tree staged while it is emitted', () => {
  it('holds the files put during emit and the rest of the tree once committed, and nothing else', async () => {
    const out = await previousTree()
    const tree = await open(out)
    const staged = tree.stage()
    staged.put('salt/a.sls', 'a: {}\n')
    staged.put('salt/deep/b.sls', 'b: {}\n')
    const files = new Map<string, string | Uint8Array>([
      ['salt/a.sls', 'a: {}\n'],
      ['salt/deep/b.sls', 'b: {}\n'],
      ['salt/files/x.bin', new Uint8Array([0, 1, 2])],
      ['manifest.json', '{\n  "generator": "salt-dsl 0.1.0"\n}\n'],
    ])
    expect((await staged.commit(files)).diagnostics).toEqual([])
    await tree.close()
    const written = readTree(out)
    expect([...written.keys()]).toEqual([
      'manifest.json',
      'salt/a.sls',
      'salt/deep/b.sls',
      'salt/files/x.bin',
    ])
    expect(written.get('salt/files/x.bin')).toEqual(Buffer.from([0, 1, 2]))
    expect(readlinkSync(out)).toBe('.out.d/gen-2')
    expect(beside(out).sort()).toEqual(['.gitignore', '.out.d', 'out'])
  })

  it('leaves the previous tree byte-identical, and no staging dir, when a write fails', async () => {
    const out = await previousTree()
    const before = readTree(out)
    const tree = await open(out)
    const staged = tree.stage()
    // a file where the next one needs a directory: the writer thread cannot write it
    staged.put('salt/a', 'a\n')
    staged.put('salt/a/b.sls', 'b: {}\n')
    const committed = await staged.commit(new Map([['salt/a', 'a\n']]))
    expect(committed.diagnostics.map((d) => d.code)).toEqual(['DSL5015'])
    await tree.close()
    expect(readTree(out)).toEqual(before)
    expect(beside(out).sort()).toEqual(['.gitignore', '.out.d', 'out'])
  })

  it('leaves the previous tree as it was when discarded (a build that failed)', async () => {
    const out = await previousTree()
    const before = readTree(out)
    const tree = await open(out)
    const staged = tree.stage()
    staged.put('salt/new.sls', 'new: {}\n')
    await staged.discard()
    await tree.close()
    expect(readTree(out)).toEqual(before)
    expect(beside(out).sort()).toEqual(['.gitignore', '.out.d', 'out'])
  })

  it('refuses, before anything is written, an out/ it did not write', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'thesis.tex'), 'years of work\n')
    const opened = await openOut(dir)
    expect(opened.value).toBeUndefined()
    expect(opened.diagnostics[0]?.message).toMatch(/refusing to replace it/)
    expect(readdirSync(dir)).toEqual(['thesis.tex'])
  })

  it('refuses a directory whose manifest does not hash its files', async () => {
    const dir = join(tempDir(), 'out')
    mkdirSync(join(dir, 'salt'), { recursive: true })
    for (const [path, data] of TREE('0'.repeat(64))) writeFileSync(join(dir, path), data)
    const opened = await openOut(dir)
    expect(opened.diagnostics.map((d) => d.code)).toEqual(['DSL5013'])
  })
})

describe('the next generation (watch mode)', () => {
  it('links unchanged files, writes changed ones, and lists what changed', async () => {
    const out = join(tempDir(), 'out')
    const tree = await open(out)
    const one = new Map<string, string | Uint8Array>([
      ['a', 'a\n'],
      ['b', 'b\n'],
      ['c', 'c\n'],
    ])
    expect((await tree.update(one)).value?.changed.sort()).toEqual(['a', 'b', 'c'])
    const two = new Map<string, string | Uint8Array>([
      ['a', 'a\n'],
      ['b', 'B\n'],
      ['d', 'd\n'],
    ])
    expect((await tree.update(two)).value?.changed.sort()).toEqual(['b', 'c', 'd'])
    await tree.close()
    expect(readTree(out)).toEqual(
      new Map([
        ['a', Buffer.from('a\n')],
        ['b', Buffer.from('B\n')],
        ['d', Buffer.from('d\n')],
      ]),
    )
  })

  it('keeps every generation it leaves whole while it recycles older ones (files shared by links are never written through)', async () => {
    const out = join(tempDir(), 'out')
    const tree = await open(out)
    const version = (n: number) =>
      new Map<string, string | Uint8Array>([
        ['salt/top.sls', 'top\n'],
        ['salt/a.sls', `a ${n % 2}\n`],
        [`salt/n${n}/only.sls`, `only ${n}\n`],
        ['salt/deep/er/b.sls', n % 3 === 0 ? 'b\n' : `b ${n}\n`],
        ...(n % 2 === 0 ? ([['pillar/even.sls', 'even\n']] as const) : []),
      ])
    const expected = (n: number) => new Map([...version(n)].map(([p, d]) => [p, Buffer.from(d)]))
    for (let n = 0; n < 8; n++) {
      const written = await tree.update(version(n), new Map(n % 4 === 1 ? [['salt/a.sls', 0o600]] : []))
      expect(written.diagnostics).toEqual([])
      // THEN out/ holds this version, and the generation before still holds the one before
      expect(readTree(out)).toEqual(expected(n))
      const gen = Number(readlinkSync(out).split('-').pop())
      if (n > 0) expect(readTree(join(out, '..', '.out.d', `gen-${gen - 1}`))).toEqual(expected(n - 1))
      expect(statSync(join(out, 'salt/a.sls')).mode & 0o777).toBe(n % 4 === 1 ? 0o600 : 0o644)
    }
    await tree.close()
    // a directory a version no longer has is gone from it
    expect(readdirSync(join(out, 'salt')).sort()).toEqual(['a.sls', 'deep', 'n7', 'top.sls'])
  })
})
