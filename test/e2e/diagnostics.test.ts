import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, readTree, tempDir } from '../support/cli.ts'

const FIXTURES = join(REPO, 'test/fixtures/diagnostics')
const only = process.env.DSL_CASE
const cases = readdirSync(FIXTURES).filter((name) => only === undefined || name === only)

interface Expected {
  readonly code: string
  /** Relative to the fixture's directory. */
  readonly file?: string
  readonly line: number
  readonly column: number
}

describe('diagnostic fixtures: code, line and column; the previous out/ survives', () => {
  let out: string
  let before: Map<string, Buffer>

  beforeAll(() => {
    // GIVEN a good tree already built into out/
    out = join(tempDir(), 'out')
    const built = dsl(['build', 'examples/hello', '--out', out])
    expect(built.status, built.stderr).toBe(0)
    before = readTree(out)
  })

  it.each(cases)('%s', (name) => {
    const dir = join(FIXTURES, name)
    // WHEN the broken config is built into the same out/
    const run = dsl(['build', dir, '--out', out, '--format', 'json'], { DSL_LOAD_TIMEOUT_MS: '2000' })
    const found = (JSON.parse(run.stdout) as { diagnostics: (Expected & { severity: string })[] }).diagnostics
      .filter((d) => d.severity === 'error')
      .map(({ code, file, line, column }) => ({
        code,
        ...(file === undefined ? {} : { file: relative(dir, join(REPO, file)) }),
        line,
        column,
      }))
    if (process.env.UPDATE_FIXTURES)
      writeFileSync(join(dir, 'expected.json'), `${JSON.stringify(found, null, 2)}\n`)
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected[]
    // THEN it fails with exactly the expected diagnostics and leaves out/ byte-identical
    expect(run.status).toBe(1)
    expect(found).toEqual(expected)
    expect(readTree(out)).toEqual(before)
  })

  it('prints file:line:col, the code, a code frame and the hint in text mode', () => {
    const run = dsl(['check', join(FIXTURES, 'duplicate-id')])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      "test/fixtures/diagnostics/duplicate-id/index.ts:8:3 - error DSL3001: duplicate state ID 'git'",
    )
    expect(run.stderr).toContain('8 |   pkg(')
    expect(run.stderr).toContain('index.ts:4:3 - ')
    expect(run.stderr).toContain('hint: give one of them an explicit `id`')
  })

  it('exits 2 on usage errors and names the command', () => {
    expect(dsl(['build', '--nope']).status).toBe(2)
    expect(dsl(['frobnicate']).status).toBe(2)
    const missing = dsl(['build', 'no/such/config', '--out', out])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('DSL1000')
    expect(readTree(out)).toEqual(before)
  })
})

describe('dsl build never replaces what it did not write', () => {
  it('refuses a non-empty --out that holds no salt-dsl manifest, and leaves it untouched', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'thesis.tex'), 'years of work\n')
    const before = readTree(dir)
    const run = dsl(['build', 'examples/hello', '--out', dir])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('refusing to replace it')
    expect(readTree(dir)).toEqual(before)
  })

  it('refuses an --out that is a file', () => {
    const file = join(tempDir(), 'notes.txt')
    writeFileSync(file, 'keep me\n')
    const run = dsl(['build', 'examples/hello', '--out', file])
    expect(run.status).toBe(1)
    expect(readFileSync(file, 'utf8')).toBe('keep me\n')
  })

  it('replaces its own previous tree, and an empty directory', () => {
    const dir = tempDir()
    expect(dsl(['build', 'examples/hello', '--out', dir]).status).toBe(0)
    expect(dsl(['build', 'examples/dotfiles', '--out', dir]).status).toBe(0)
    expect([...readTree(dir).keys()]).toContain('salt/dotfiles.sls')
    expect([...readTree(dir).keys()]).not.toContain('salt/hello.sls')
  })
})

describe('every command reports why it failed', () => {
  it.each([
    [['show', 'base'], []],
    [
      ['show', 'pillar'],
      ['--machine', 'x'],
    ],
    [
      ['explain', 'a'],
      ['--machine', 'x'],
    ],
    [['check'], []],
    [['build'], ['--out', join(tempDir(), 'out')]],
  ])('dsl %s on a broken config prints the diagnostic and exits 1', (before, after) => {
    const run = dsl([...before, join(FIXTURES, 'duplicate-id'), ...after])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('DSL3001')
  })
})

describe('a clean type-check is remembered until a file of the program changes', () => {
  it('skips nothing that changed: an edit, an edit of the same size, and a new tsconfig are all checked', () => {
    const dir = tempDir()
    const entry = join(dir, 'index.ts')
    const helper = join(dir, 'names.ts')
    writeFileSync(
      entry,
      "import { pkg, sls } from 'salt-dsl'\nimport { tool } from './names.ts'\nsls('a', () => {\n  pkg(tool)\n})\n",
    )
    writeFileSync(helper, "export const tool = 'git'\n")
    // GIVEN a config that checks clean, twice (the second time from the remembered result)
    expect(dsl(['check', dir]).status).toBe(0)
    expect(dsl(['check', dir]).status).toBe(0)
    // WHEN an imported file changes its type (same byte size): THEN the check runs and fails
    writeFileSync(helper, 'export const tool = 12345\n')
    const broken = dsl(['check', dir])
    expect(broken.status).toBe(1)
    expect(broken.stderr).toContain('error TS2345')
    // and a failed check is never remembered as clean
    expect(dsl(['check', dir]).status).toBe(1)
    writeFileSync(helper, "export const tool = 'git'\n")
    expect(dsl(['check', dir]).status).toBe(0)
    // WHEN a tsconfig appears beside the config (it was absent): THEN its settings apply
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: ['no-such-types'] } }),
    )
    const configured = dsl(['check', dir])
    expect(configured.status).toBe(1)
    expect(configured.stderr).toContain('no-such-types')
  })
})
