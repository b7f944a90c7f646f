import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO, tempDir } from '../support/cli.ts'

const source = (text: string) =>
  `import { file, sls, top } from 'salt-dsl'\nexport const a = sls('a', () => {\n  file('/tmp/w', { contents: ${JSON.stringify(text)} })\n})\ntop('*', [a])\n`

describe('dsl build --watch', () => {
  it('rebuilds the tree when a config file changes, and keeps the last good tree on an error', async () => {
    const dir = tempDir()
    const out = join(dir, 'out')
    writeFileSync(join(dir, 'index.ts'), source('one\n'))
    const child = spawn(process.execPath, [join(REPO, 'bin/dsl.js'), 'build', dir, '--out', out, '--watch'], {
      cwd: REPO,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const rebuilds = () => stdout.split('rebuilt in').length - 1
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 50))
      expect(test(), `stdout: ${stdout}\nstderr: ${stderr}`).toBe(true)
    }
    try {
      await until(() => rebuilds() >= 1)
      expect(readFileSync(join(out, 'salt/a.sls'), 'utf8')).toContain('one')
      // WHEN the file changes THEN the tree follows
      writeFileSync(join(dir, 'index.ts'), source('two\n'))
      await until(() => readFileSync(join(out, 'salt/a.sls'), 'utf8').includes('two'))
      // WHEN it breaks THEN a diagnostic is printed and the last good tree stays
      writeFileSync(join(dir, 'index.ts'), `${source('three\n')}sls(`)
      await until(() => stderr.includes('DSL1001'))
      expect(readFileSync(join(out, 'salt/a.sls'), 'utf8')).toContain('two')
    } finally {
      child.kill('SIGINT')
    }
  })
})
