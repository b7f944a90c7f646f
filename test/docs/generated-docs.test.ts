import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'

/** Runs a docs generator in its --check mode: exit 0 when the page it writes is current. */
function check(script: string) {
  const run = spawnSync(process.execPath, [join(REPO, 'scripts', script), '--check'], { encoding: 'utf8' })
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

describe('the generated pages are current', () => {
  it('docs/diagnostics.md has every code the sources raise', () => {
    const run = check('gen-diagnostics-doc.js')
    expect(run.status, run.output).toBe(0)
  })

  it('docs/reference/ matches the types, their JSDoc and the Salt catalog', () => {
    const run = check('gen-reference-doc.js')
    expect(run.status, run.output).toBe(0)
  })

  it('docs/profiles.md was made from config/ as it is', () => {
    const run = check('gen-profiles-doc.js')
    expect(run.status, run.output).toBe(0)
  })

  it('docs/diagnostics.md has an entry for every DSL code of the sources', () => {
    // every top-level directory but the tests' and the generated ones: a new source directory is covered too
    const skip = new Set([
      'test',
      'node_modules',
      'dist',
      'docs',
      'bench',
      'examples',
      'config',
      'scripts',
      'out',
    ])
    const dirs = readdirSync(REPO, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !skip.has(e.name))
      .map((e) => e.name)
    const grep = spawnSync('grep', ['-rhoE', '--include=*.ts', "'DSL[0-9]{4}'", ...dirs], {
      cwd: REPO,
      encoding: 'utf8',
    })
    const codes = new Set(grep.stdout.split('\n').filter(Boolean))
    expect(codes.size).toBeGreaterThan(50)
    const page = readFileSync(join(REPO, 'docs', 'diagnostics.md'), 'utf8')
    const missing = [...codes].map((c) => c.slice(1, -1)).filter((c) => !page.includes(`\n### ${c}\n`))
    expect(missing).toEqual([])
  })
})

describe('a diagnostic links to its entry', () => {
  it('prints see docs/diagnostics.md#<code> under the hint, and the page has that heading', () => {
    const dir = tempDir('salt-dsl-doclink-')
    mkdirSync(join(dir, 'config'))
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(REPO, join(dir, 'node_modules', 'salt-dsl'))
    writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n')
    writeFileSync(
      join(dir, 'config', 'index.ts'),
      "import { pkg, sls, top } from 'salt-dsl'\nconst one = sls('one', () => { pkg('git') })\nconst two = sls('two', () => { pkg('git') })\ntop('*', [one, two])\n",
    )
    const run = dsl(['build', '--no-typecheck'], { NO_COLOR: '1' }, dir)
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/error DSL3001:[\s\S]*hint: [^\n]*\n {2}see docs\/diagnostics\.md#dsl3001\n/)
    const page = readFileSync(join(REPO, 'docs', 'diagnostics.md'), 'utf8')
    expect(page).toContain('\n### DSL3001\n')
  })
})
