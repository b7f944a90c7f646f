import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, readTree, tempDir } from '../support/cli.ts'
import { watching } from '../support/watch.ts'

const source = (text: string) =>
  `import { file, sls, top } from 'salt-dsl'\nexport const a = sls('a', () => {\n  file('/tmp/w', { contents: ${JSON.stringify(text)} })\n})\ntop('*', [a])\n`

describe('dsl build --watch', () => {
  it('rebuilds the tree when a config file changes, and keeps the last good tree on an error', async () => {
    const dir = tempDir()
    const out = join(dir, 'out')
    writeFileSync(join(dir, 'index.ts'), source('one\n'))
    const { child, output, until } = watching(dir, out)
    const rebuilds = () => output().stdout.split('rebuilt in').length - 1
    try {
      await until(() => rebuilds() >= 1)
      expect(readFileSync(join(out, 'salt/a.sls'), 'utf8')).toContain('one')
      // WHEN the file changes THEN the tree follows
      writeFileSync(join(dir, 'index.ts'), source('two\n'))
      await until(() => readFileSync(join(out, 'salt/a.sls'), 'utf8').includes('two'))
      // WHEN it breaks THEN a diagnostic is printed and the last good tree stays
      writeFileSync(join(dir, 'index.ts'), `${source('three\n')}sls(`)
      await until(() => output().stderr.includes('DSL1001'))
      expect(readFileSync(join(out, 'salt/a.sls'), 'utf8')).toContain('two')
    } finally {
      child.kill('SIGINT')
    }
  })

  it('says what it watches, reports type errors as dsl check would (with the current text), and their end', async () => {
    const dir = tempDir()
    const out = join(dir, 'out')
    const typed = (key: string) =>
      `import { file, pillarSchema, sls, top, z } from 'salt-dsl'\nconst { pillar, layer } = pillarSchema(z.object({ motd: z.string() }))\nlayer('defaults/common', { motd: 'hi' })\nexport const a = sls('a', () => {\n  file('/tmp/w', { contents: pillar.${key} })\n})\ntop('*', [a])\n`
    writeFileSync(join(dir, 'index.ts'), typed('motd'))
    const { child, output, until } = watching(dir, out)
    try {
      await until(() => output().stdout.includes('rebuilt in'))
      expect(output().stdout).toMatch(
        /^watching .* into .*; each change rebuilds it, then type-checks it; Ctrl-C stops\n/,
      )
      // WHEN a pillar key is misspelled (only the type-check sees it: Salt would render '' for it)
      writeFileSync(join(dir, 'index.ts'), typed('mtod'))
      // THEN the type error is reported, its frame showing the file as it is now
      await until(() => output().stderr.includes('TS2339'))
      expect(output().stdout).toContain('change: index.ts')
      expect(output().stderr).toContain("Property 'mtod' does not exist")
      expect(output().stderr).toContain("5 |   file('/tmp/w', { contents: pillar.mtod })")
      expect(output().stderr).toContain('type-check: out/ holds a tree of code with these type errors')
      // WHEN it is fixed THEN the watch says the type errors are gone
      writeFileSync(join(dir, 'index.ts'), typed('motd'))
      await until(() => output().stdout.includes('type-check: ok'))
      // WHEN the same line breaks again THEN its frame is the new text, not the one shown before
      writeFileSync(join(dir, 'index.ts'), typed('mood'))
      await until(() => output().stderr.includes("Property 'mood' does not exist"))
      expect(output().stderr).toContain("5 |   file('/tmp/w', { contents: pillar.mood })")
    } finally {
      child.kill('SIGINT')
    }
  })

  it('corrects a quick rebuild that missed a change a module made to state another one reads', async () => {
    // `c` reads the list `b` fills without importing `b`: when `b` changes, the replay of `c` misses it
    const dir = tempDir()
    const out = join(dir, 'out')
    const files: Record<string, string> = {
      'index.ts':
        "import './b.ts'\nimport { c } from './c.ts'\nimport { top } from 'salt-dsl'\ntop('*', [c])\n",
      'names.ts': 'export const names: string[] = []\n',
      'b.ts': "import { names } from './names.ts'\nnames.push('tool-a')\n",
      'c.ts':
        "import { pkg, sls } from 'salt-dsl'\nimport { names } from './names.ts'\nexport const c = sls('c', () => { for (const n of names) pkg(n) })\n",
    }
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
    // the checker thread is let go right after each check, so the second one starts it again
    const { child, output, until } = watching(dir, out, { DSL_CHECKER_RETIRE_MS: '0' })
    const corrections = () => output().stderr.split('differed from a full one in salt/c.sls').length - 1
    try {
      await until(() => output().stdout.includes('rebuilt in'))
      writeFileSync(join(dir, 'b.ts'), "import { names } from './names.ts'\nnames.push('tool-a', 'tool-b')\n")
      // THEN the full rebuild that follows once the config sits still finds the difference and fixes the tree
      await until(() => corrections() === 1)
      await until(() => readFileSync(join(out, 'salt/c.sls'), 'utf8').includes('tool-b'))
      // AND so does the next one, by a checker started anew
      await new Promise((r) => setTimeout(r, 200))
      writeFileSync(join(dir, 'b.ts'), "import { names } from './names.ts'\nnames.push('tool-a', 'tool-c')\n")
      await until(() => corrections() === 2)
      await until(() => readFileSync(join(out, 'salt/c.sls'), 'utf8').includes('tool-c'))
      const full = join(tempDir(), 'out')
      expect(dsl(['build', dir, '--out', full, '--no-typecheck']).status).toBe(0)
      const expected = readTree(full)
      for (const [path, data] of readTree(out)) {
        if (path.startsWith('minion.d/')) continue
        expect(data.toString(), path).toBe(expected.get(path)?.toString())
      }
    } finally {
      child.kill('SIGINT')
    }
  })

  it('follows a file an editor saves by writing a new one and renaming it over the old, save after save', async () => {
    const dir = tempDir()
    const out = join(dir, 'out')
    mkdirSync(join(dir, 'lib'))
    writeFileSync(join(dir, 'lib', 'value.ts'), "export const value = 'one'\n")
    writeFileSync(
      join(dir, 'index.ts'),
      "import { file, sls, top } from 'salt-dsl'\nimport { value } from './lib/value.ts'\nexport const a = sls('a', () => { file('/tmp/w', { contents: value }) })\ntop('*', [a])\n",
    )
    const { child, output, until } = watching(dir, out)
    // an atomic save: the new text goes to a temp file beside the old one, which it then replaces
    const save = (text: string) => {
      const temp = join(dir, 'lib', `.value.ts.${text}.tmp`)
      writeFileSync(temp, `export const value = '${text}'\n`)
      renameSync(temp, join(dir, 'lib', 'value.ts'))
    }
    try {
      await until(() => output().stdout.includes('rebuilt in'))
      // WHEN the file is replaced three times THEN the tree follows each save (a watcher that watched
      // the first file by itself would see the first replacement only)
      for (const text of ['two', 'three', 'four']) {
        save(text)
        await until(() => readFileSync(join(out, 'salt/a.sls'), 'utf8').includes(text))
      }
      expect(output().stderr).not.toContain('differed from a full one')
    } finally {
      child.kill('SIGINT')
    }
  })
})
