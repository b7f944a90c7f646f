// The module loader through the CLI: what a config may import, the tsconfig options that change how it is
// compiled, and the module cache (a build after an edit of the same size, within the mtime's resolution).
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, readTree, tempDir } from '../support/cli.ts'

function project(files: Record<string, string>): string {
  const dir = tempDir('salt-dsl-loader-')
  mkdirSync(join(dir, 'node_modules'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

/** A build of `dir/index.ts` that must fail: its diagnostics' codes and lines. */
function failedBuild(dir: string): [string, number][] {
  const out = join(dir, 'out')
  const run = dsl(['build', join(dir, 'index.ts'), '--out', out, '--no-typecheck', '--format', 'json'])
  expect(run.status).toBe(1)
  return JSON.parse(run.stdout).diagnostics.map((d: { code: string; line: number }) => [d.code, d.line])
}

const sls = (dir: string, name: string) => readTree(join(dir, 'out')).get(`salt/${name}.sls`)?.toString()

describe('the config loader', () => {
  it('runs JSON, Node builtins, require.resolve and a module imported for its side effects', () => {
    const dir = project({
      'index.ts': `import { basename, join } from 'node:path'
import os from 'os'
import data from './data.json'
import { file, sls, top } from 'salt-dsl'
import './side.ts'
declare const require: { resolve(spec: string): string }
export const a = sls('a', () => {
  file(join('/etc', data.name), { contents: typeof os.cpus })
  file('/etc/found', { contents: basename(require.resolve('./data.json')) })
})
top('*', [a])
`,
      'side.ts': "import { pkg, sls } from 'salt-dsl'\nsls('side', () => { pkg('htop') })\n",
      'data.json': '{ "name": "motd" }\n',
    })
    const run = dsl(['build', join(dir, 'index.ts'), '--out', join(dir, 'out'), '--no-typecheck'])
    expect(run.status, run.stderr).toBe(0)
    expect(sls(dir, 'a')).toContain('/etc/motd:')
    expect(sls(dir, 'a')).toContain('contents: function')
    expect(sls(dir, 'a')).toContain('contents: data.json')
    expect(sls(dir, 'side')).toContain('htop:')
  })

  it('writes builder call positions into the compiled code, never into strings', () => {
    // a string whose compiled form is a builder call as esbuild writes one (escapes are decoded)
    const fake = String.raw`(0, \x69mport_salt_dsl.pkg)("x")`
    const dir = project({
      'index.ts': `import { file, sls, top, pkg as install } from 'salt-dsl'
export const a = sls('a', () => {
  install('tool'); file('/etc/x', { contents: '${fake}' }); file('/etc/y', { contents: \`${fake}\` })
})
top('*', [a])
`,
    })
    const run = dsl(['build', join(dir, 'index.ts'), '--out', join(dir, 'out'), '--no-typecheck'])
    expect(run.status, run.stderr).toBe(0)
    const text = sls(dir, 'a')
    expect(text).toContain(`/etc/x:
  file.managed:
    - contents: (0, import_salt_dsl.pkg)("x")`)
    expect(text).toContain(`/etc/y:
  file.managed:
    - contents: (0, import_salt_dsl.pkg)("x")`)
    const manifest = JSON.parse(readTree(join(dir, 'out')).get('manifest.json')!.toString())
    expect(JSON.stringify(manifest)).toContain('"tool"')
  })

  it('keeps an import whose bindings are unused when the tsconfig says verbatimModuleSyntax', () => {
    const files = {
      'index.ts': `import { sls, top } from 'salt-dsl'
import { tools } from './tools.ts'
export const a = sls('a', () => {})
top('*', [a])
`,
      'tools.ts':
        "import { pkg, sls } from 'salt-dsl'\nexport const tools = sls('tools', () => { pkg('jq') })\n",
    }
    // WITHOUT it, TypeScript drops the import (its binding is unused), so tools.ts does not run
    const plain = project(files)
    expect(
      dsl(['build', join(plain, 'index.ts'), '--out', join(plain, 'out'), '--no-typecheck']).status,
    ).toBe(0)
    expect(sls(plain, 'tools')).toBeUndefined()
    // WITH it (in a tsconfig the project's extends), the import stays and tools.ts runs
    const verbatim = project({
      ...files,
      'base.json': '{\n  // shared settings\n  "compilerOptions": { "verbatimModuleSyntax": true, },\n}\n',
      'tsconfig.json': '{ "extends": "./base.json" }\n',
    })
    const run = dsl(['build', join(verbatim, 'index.ts'), '--out', join(verbatim, 'out'), '--no-typecheck'])
    expect(run.status, run.stderr).toBe(0)
    expect(sls(verbatim, 'tools')).toContain('jq:')
  })

  it('resolves tsconfig `paths` aliases as tsc does (baseUrl, the longest pattern, extends)', () => {
    const dir = project({
      'index.ts': `import { pkg, sls, top } from 'salt-dsl'
import { tools } from '@lib/tools'
import { editor } from '@lib/deep/editor'
import { shell } from 'shell-alias'
export const a = sls('a', () => { for (const t of [...tools, editor, shell]) pkg(t) })
top('*', [a])
`,
      'base.json':
        '{\n  "compilerOptions": {\n    "baseUrl": ".",\n    // aliases\n    "paths": { "@lib/*": ["src/*"], "@lib/deep/*": ["deep/*"], "shell-alias": ["src/shell.ts"], },\n  },\n}\n',
      'tsconfig.json': '{ "extends": "./base.json" }\n',
    })
    mkdirSync(join(dir, 'src'))
    mkdirSync(join(dir, 'deep'))
    writeFileSync(join(dir, 'src', 'tools.ts'), "export const tools = ['jq', 'fd']\n")
    writeFileSync(join(dir, 'deep', 'editor.ts'), "export const editor = 'vim'\n")
    writeFileSync(join(dir, 'src', 'shell.ts'), "export const shell = 'zsh'\n")
    const run = dsl(['build', join(dir, 'index.ts'), '--out', join(dir, 'out'), '--no-typecheck'])
    expect(run.status, run.stderr).toBe(0)
    for (const name of ['jq:', 'fd:', 'vim:', 'zsh:']) expect(sls(dir, 'a')).toContain(name)
    // an alias that names no file is a load diagnostic at the import
    writeFileSync(join(dir, 'index.ts'), "import { x } from '@lib/missing'\nexport const y = x\n")
    expect(failedBuild(dir)).toEqual([['DSL1001', 1]])
  })

  it("resolves `#` imports through package.json's `imports`, as Node and tsc do", () => {
    const dir = project({
      'index.ts': `import { pkg, sls, top } from 'salt-dsl'
import { tools } from '#tools'
import { editor } from '#lib/editor'
export const a = sls('a', () => { for (const t of [...tools, editor]) pkg(t) })
top('*', [a])
`,
      'package.json': JSON.stringify({
        type: 'module',
        imports: {
          '#tools': './src/tools.ts',
          // conditions in order ("types" is tsc's), and a `.js` target naming the `.ts` source
          '#lib/*': { types: './src/lib/*.d.ts', import: './src/lib/*.js', default: './missing/*.js' },
        },
      }),
    })
    mkdirSync(join(dir, 'src', 'lib'), { recursive: true })
    writeFileSync(join(dir, 'src', 'tools.ts'), "export const tools = ['jq', 'fd']\n")
    writeFileSync(join(dir, 'src', 'lib', 'editor.ts'), "export const editor = 'vim'\n")
    const run = dsl(['build', join(dir, 'index.ts'), '--out', join(dir, 'out'), '--no-typecheck'])
    expect(run.status, run.stderr).toBe(0)
    for (const name of ['jq:', 'fd:', 'vim:']) expect(sls(dir, 'a')).toContain(name)
    // a `#` specifier the map does not cover is a load diagnostic at the import
    writeFileSync(join(dir, 'index.ts'), "import { x } from '#nowhere'\nexport const y = x\n")
    expect(failedBuild(dir)).toEqual([['DSL1001', 1]])
  })

  it('compiles a package that ships TypeScript source (a workspace package) as a config module', () => {
    const dir = project({
      'index.ts': `import { top } from 'salt-dsl'
import { tools } from '@team/common'
top('*', [tools])
`,
    })
    const pkg = join(dir, 'node_modules', '@team', 'common')
    mkdirSync(join(pkg, 'src'), { recursive: true })
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: '@team/common', type: 'module', exports: { '.': './src/index.ts' } }),
    )
    // TypeScript Node cannot run, with the builders of the CLI's own authoring API
    writeFileSync(
      join(pkg, 'src', 'index.ts'),
      "import { pkg, sls } from 'salt-dsl'\nconst names: readonly string[] = ['jq', 'fd']\nexport const tools = sls('tools', () => { for (const n of names) pkg(n) })\n",
    )
    const run = dsl(['build', join(dir, 'index.ts'), '--out', join(dir, 'out'), '--no-typecheck'])
    expect(run.status, run.stderr).toBe(0)
    for (const name of ['jq:', 'fd:']) expect(sls(dir, 'tools')).toContain(name)
  })

  it('caches each module, and still sees an edit that keeps size and modification time', () => {
    const index = (name: string) =>
      `import { pkg, sls, top } from 'salt-dsl'\nexport const a = sls('a', () => { pkg('${name}') })\ntop('*', [a])\n`
    const dir = project({ 'index.ts': index('vim') })
    const file = join(dir, 'index.ts')
    const build = () => dsl(['build', file, '--out', join(dir, 'out'), '--no-typecheck'])
    // a whole second, so the modification time can be put back exactly
    const second = Math.floor(Date.now() / 1000)
    utimesSync(file, second, second)
    expect(build().status).toBe(0)
    const cache = join(dir, 'node_modules', '.cache', 'salt-dsl', 'modules')
    const has = (ext: string) => readdirSync(cache).some((f) => f.endsWith(ext))
    // the first build keeps the compiled module; the second, which reads it back, V8's code for it
    expect(has('.module')).toBe(true)
    expect(has('.v8')).toBe(false)
    expect(build().status).toBe(0)
    expect(has('.v8')).toBe(true)
    expect(sls(dir, 'a')).toContain('vim:')
    // the same size, and the modification time put back: what a second write within the clock's
    // resolution looks like (the file was written just before the build read it, so it is racily clean)
    writeFileSync(file, index('nvi'))
    utimesSync(file, second, second)
    expect(build().status).toBe(0)
    expect(sls(dir, 'a')).toContain('nvi:')
    writeFileSync(join(dir, 'index.ts'), index('vim'))
    expect(build().status).toBe(0)
    expect(sls(dir, 'a')).toContain('vim:')
  })
})
