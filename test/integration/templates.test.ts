import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { failed, runs } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'
import { SaltOracle } from '../support/salt.ts'

const FIXTURE = 'test/fixtures/templates'

interface Found {
  readonly code: string
  readonly file: string
  readonly line: number
  readonly hint?: string
}

describe('templates are checked with the pinned Salt’s Jinja, and Salt agrees at apply', () => {
  let oracle: SaltOracle
  beforeAll(async () => {
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle.close()
  })

  it('dsl check reports a syntax error, an unknown filter and an unknown variable at the template’s line', () => {
    const run = dsl(['check', FIXTURE, '--format', 'json'])
    expect(run.status, run.stderr).toBe(1)
    const found = (JSON.parse(run.stdout).diagnostics as Found[]).map((d) => [d.code, d.file, d.line, d.hint])
    expect(found).toEqual([
      ['DSL3081', `${FIXTURE}/files/filter.j2`, 2, 'Salt fails this state at apply with the same error'],
      ['DSL3080', `${FIXTURE}/files/syntax.j2`, 2, 'Salt fails this state at apply with the same error'],
      ['DSL3082', `${FIXTURE}/files/var.j2`, 3, "did you mean 'email'? (the state's context gives: email)"],
    ])
  })

  it('the same tree applied by Salt fails exactly those states, and renders the good one', async () => {
    // GIVEN the tree built without the check (dsl build does not run Jinja)
    const root = join(tempDir(), 'templates')
    mkdirSync(root)
    const out = join(tempDir(), 'out')
    const built = dsl(['build', FIXTURE, '--out', out], { TEMPLATES_ROOT: root })
    expect(built.status, built.stderr).toBe(0)
    // WHEN Salt applies it
    const spec = { id: 'templates-test', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
    const applied = await oracle.call(spec, 'state.apply')
    // THEN the three templates dsl check refused fail, and the one it accepted (every name Salt gives a file
    // template, read once) renders
    const bad = runs(applied.data).filter((r) => r.result !== true)
    expect(bad.map((r) => r.__id__).sort()).toEqual([`${root}/filter`, `${root}/syntax`, `${root}/var`])
    expect(bad.find((r) => r.__id__ === `${root}/var`)?.comment).toContain("'emial' is undefined")
    expect(failed(applied.data)).toHaveLength(3)
    const ok = readFileSync(join(root, 'ok'), 'utf8')
    expect(ok).toContain('email=ada@example.org')
    expect(ok).toContain('id=templates-test')
    expect(ok).toContain(`name=${root}/ok`)
    expect(ok).toContain('salt=True')
  })

  it('a name only SLS files get (sls, tpldir) is an unknown variable in a file template, as Salt says', () => {
    // GIVEN a template that passes (its result is then kept)
    const dir = tempDir()
    writeFileSync(
      join(dir, 'index.ts'),
      `import { file, sls, top } from 'salt-dsl'
top('*', [sls('t', () => { file('/tmp/x', { source: 'files/t.j2', template: 'jinja' }) })])
`,
    )
    mkdirSync(join(dir, 'files'))
    writeFileSync(join(dir, 'files', 't.j2'), '{{ name }}\n')
    expect(dsl(['check', dir]).status).toBe(0)
    // WHEN it is edited to read names Salt gives only SLS files
    writeFileSync(join(dir, 'files', 't.j2'), '{{ tpldir }}\n{{ sls }}\n')
    const run = dsl(['check', dir, '--format', 'json'])
    // THEN both are reported: the kept result of the old text is not reused
    expect(run.status).toBe(1)
    const found = (JSON.parse(run.stdout).diagnostics as Found[]).map((d) => `${d.code}:${d.line}`)
    expect(found).toEqual(['DSL3082:1', 'DSL3082:2'])
  })

  it('an inline template (contents + template: jinja) is checked too, at the state’s line', () => {
    const dir = tempDir()
    // GIVEN a name set in both branches of an if (defined wherever it is read) and one nothing gives
    const template =
      '{%- if grains.id %}{% set greeting = "hi" %}{% else %}{% set greeting = "ho" %}{% endif -%}\n{{ greeting }} {{ reports_dir }}\n'
    writeFileSync(
      join(dir, 'index.ts'),
      `import { file, sls, top } from 'salt-dsl'\ntop('*', [sls('t', () => {\n  file('/tmp/x', { contents: ${JSON.stringify(template)}, template: 'jinja' })\n})])\n`,
    )
    const run = dsl(['check', dir, '--format', 'json'])
    expect(run.status).toBe(1)
    const found = (JSON.parse(run.stdout).diagnostics as (Found & { message: string })[]).map(
      (d) => `${d.code}:${d.line}: ${d.message}`,
    )
    expect(found).toEqual([
      "DSL3082:3: line 2 of the inline template: template variable 'reports_dir' is undefined",
    ])
  })

  it('a config whose templates are all good passes dsl check', () => {
    const run = dsl(['check', FIXTURE], { TEMPLATES_ONLY_GOOD: '1' })
    expect(run.status, run.stderr).toBe(0)
  })
})
