// The module loader through the CLI: what a config may import, the tsconfig options that change how it is
// compiled, and the module cache (a build after an edit of the same size, within the mtime's resolution).
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, readTree, tempDir } from '../support/cli.ts'

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

/** A run of the CLI that must end by itself: after `ms` its whole process group is killed, and it failed. */
async function bounded(
  args: readonly string[],
  { ms = 30_000, env = {} }: { ms?: number; env?: Record<string, string> } = {},
): Promise<{ status: number | null; stdout: string; stderr: string; hung: boolean }> {
  const child = spawn(process.execPath, [join(REPO, 'bin/dsl.js'), ...args], {
    cwd: REPO,
    env: { ...process.env, DSL_LOAD_TIMEOUT_MS: '2000', ...env },
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => {
    stdout += d
  })
  child.stderr.on('data', (d) => {
    stderr += d
  })
  let hung = false
  const timer = setTimeout(() => {
    hung = true
    process.kill(-child.pid!, 'SIGKILL')
  }, ms)
  const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  clearTimeout(timer)
  return { status, stdout, stderr, hung }
}

/**
 * The codes and `line:column`s of the compiler's own errors a `--format json` run printed (these configs use
 * Node's globals without Node's typings, so the type errors reported beside them are not the point here).
 */
function errorsOf(stdout: string): string[] {
  const { diagnostics } = JSON.parse(stdout) as {
    diagnostics: { code: string; severity: string; line?: number; column?: number }[]
  }
  return diagnostics
    .filter((d) => d.severity === 'error' && d.code.startsWith('DSL'))
    .map((d) => `${d.code} ${d.line}:${d.column}`)
}

/** Every path under `dir` but node_modules, directories included (a staging directory may be empty). */
function entries(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((path) => !path.startsWith('node_modules'))
    .sort()
}

/** The four commands that run a config, each with `dir` as its entry. */
const COMMANDS = (dir: string): string[][] => [
  ['build', dir, '--out', join(dir, 'out'), '--no-typecheck', '--format', 'json'],
  ['check', dir, '--format', 'json'],
  ['show', 'base', dir],
  ['explain', 'motd', '--machine', 'box', dir],
]

describe('config code cannot make the CLI lie, hang or crash', () => {
  it.each([
    ['process.exit(0)', 'process.exit(0)', 9],
    ['process.abort()', 'process.abort()', 9],
    ['process.kill(process.pid)', 'process.kill(process.pid)', 9],
    ['process.reallyExit(0)', '(process as unknown as { reallyExit(c: number): void }).reallyExit(0)', 57],
  ])(
    '%s is a diagnostic at its line in build, check, show and explain (exit 1, nothing left behind)',
    async (_name, call, column) => {
      // GIVEN a config that ends the process after declaring its states (its line 6 after TypeScript-only lines)
      const dir = project({
        'index.ts': `import { pkg, sls } from 'salt-dsl'
interface Flags {
  readonly quit: boolean
}
sls('base', () => { pkg('git') })
const flags: Flags = { quit: true }
if (flags.quit) ${call}
`,
      })
      // what any failed build leaves (a config that throws), to compare with
      const thrower = project({ 'index.ts': "throw new Error('no')\n" })
      expect((await bounded(COMMANDS(thrower)[0]!)).status).toBe(1)
      const failed = entries(thrower)
      for (const args of COMMANDS(dir)) {
        // WHEN each command runs it
        const run = await bounded(args)
        // THEN it fails with the diagnostic at the call, in the TypeScript, and leaves no directory behind
        expect(run.hung, args[0]).toBe(false)
        expect(run.status, `${args[0]}: ${run.stderr}`).toBe(1)
        const text = `${run.stdout}${run.stderr}`
        expect(text).toContain('DSL1030')
        expect(text).not.toContain('built ')
        if (args.includes('json')) expect(errorsOf(run.stdout)).toEqual([`DSL1030 7:${16 + column}`])
        else expect(run.stderr).toContain(`index.ts:7:${16 + column} - error DSL1030`)
        expect(entries(dir)).toEqual(failed)
      }
    },
  )

  it.each([
    ['a setTimeout whose callback never returns', 'setTimeout(() => {\n  for (;;) {}\n}, 10)', 'DSL1032 6:1'],
    ['a setInterval', 'setInterval(() => {}, 5)', 'DSL1032 6:1'],
    ['a setImmediate whose callback never returns', 'setImmediate(() => {\n  for (;;) {}\n})', 'DSL1032 6:1'],
    ['a timers/promises sleep', "void require('node:timers/promises').setTimeout(5)", 'DSL1032 6:38'],
    [
      'a timers/promises interval',
      "void (async () => {\n  for await (const _ of require('node:timers/promises').setInterval(5)) for (;;) {}\n})()",
      'DSL1032 7:20',
    ],
    [
      'an AbortSignal.timeout',
      "AbortSignal.timeout(5).addEventListener('abort', () => {\n  for (;;) {}\n})",
      'DSL1032 6:13',
    ],
    [
      'a worker thread that never returns',
      "void new (require('node:worker_threads').Worker)('for (;;) {}', { eval: true })",
      'DSL1036 6:6',
    ],
    ['a promise reaction that never returns', 'Promise.resolve().then(() => {\n  for (;;) {}\n})', 'DSL1012'],
    ['a nextTick that never returns', 'process.nextTick(() => {\n  for (;;) {}\n})', 'DSL1012'],
    ['a queueMicrotask that never returns', 'queueMicrotask(() => {\n  for (;;) {}\n})', 'DSL1012'],
    ['a server listening', "void require('node:net').createServer().listen(0)", 'DSL1036 6:26'],
    [
      'an fs callback that never returns',
      "require('node:fs').readFile(__filename, () => {\n  for (;;) {}\n})",
      'DSL1036 6:20',
    ],
    [
      'an fs promise whose continuation never returns',
      "require('node:fs/promises').readFile(__filename).then(() => {\n  for (;;) {}\n})",
      'DSL1036 6:29',
    ],
  ])('%s: build and check report it and exit', async (_name, code, expected) => {
    const dir = project({
      'index.ts': `import { pkg, sls } from 'salt-dsl'
interface Later {
  readonly ms: number
}
sls('base', () => { pkg('git') })
${code}
export const later: Later = { ms: 1 }
`,
    })
    for (const args of COMMANDS(dir).slice(0, 2)) {
      const run = await bounded(args)
      expect(run.hung, `${args[0]} never ended: ${run.stdout}${run.stderr}`).toBe(false)
      expect(run.status, run.stderr).toBe(1)
      const found = errorsOf(run.stdout)
      expect(found.map((e) => (expected.includes(' ') ? e : e.split(' ')[0]))).toEqual([expected])
    }
  })

  it('dsl build --watch reports each of them, keeps running, never prints a build of a config that exited, and stops on SIGINT', async () => {
    const dir = project({
      'index.ts': "import { pkg, sls } from 'salt-dsl'\nsls('base', () => { pkg('git') })\nprocess.exit(0)\n",
    })
    const out = join(dir, 'out')
    const child = spawn(process.execPath, [join(REPO, 'bin/dsl.js'), 'build', dir, '--out', out, '--watch'], {
      cwd: REPO,
      env: { ...process.env, DSL_LOAD_TIMEOUT_MS: '2000' },
      detached: true,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
    const count = (text: string, part: string) => text.split(part).length - 1
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 300 && !test(); i++) await new Promise((r) => setTimeout(r, 50))
      expect(test(), `stdout: ${stdout}\nstderr: ${stderr}`).toBe(true)
    }
    const write = (text: string) => writeFileSync(join(dir, 'index.ts'), text)
    try {
      // GIVEN a watch started on a config that exits: THEN it reports it, and builds nothing
      await until(() => stderr.includes('DSL1030'))
      expect(stdout).not.toContain('rebuilt')
      // WHEN the config is fixed THEN it builds
      write("import { pkg, sls } from 'salt-dsl'\nsls('base', () => { pkg('git') })\n")
      await until(() => count(stdout, 'rebuilt in') >= 1)
      const built = count(stdout, 'rebuilt in')
      // WHEN it leaves an interval whose callback never returns, a timer and an endless promise reaction
      for (const [code, diagnostic] of [
        ['setInterval(() => {\n  for (;;) {}\n}, 5)', 'DSL1032'],
        ['setTimeout(() => {\n  for (;;) {}\n}, 5)\nprocess.kill(process.pid)', 'DSL1030'],
        ['Promise.resolve().then(() => {\n  for (;;) {}\n})', 'DSL1012'],
        ["Promise.reject(new Error('down'))", 'DSL1033'],
        ["process.emit('SIGINT')", 'DSL1030'],
        ["void require('node:net').createServer().listen(0)", 'DSL1036'],
      ] as const) {
        const seen = count(stderr, diagnostic)
        write(`import { pkg, sls } from 'salt-dsl'\nsls('base', () => { pkg('vim') })\n${code}\n`)
        // THEN each is reported, the watch goes on, and the tree stays the last good one
        await until(() => count(stderr, diagnostic) > seen)
        expect(count(stdout, 'rebuilt in')).toBe(built)
        expect(readTree(out).get('salt/base.sls')?.toString()).toContain('git:')
      }
      // AND a good config still builds after all of them
      write("import { pkg, sls } from 'salt-dsl'\nsls('base', () => { pkg('jq') })\n")
      await until(() => readTree(out).get('salt/base.sls')?.toString().includes('jq:') === true)
      expect(stderr).not.toContain('internal error')
    } finally {
      child.kill('SIGINT')
    }
    // AND SIGINT ends it: nothing the configs left keeps it alive
    const hung = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000)
    const code = await closed
    clearTimeout(hung)
    expect(code).toBe(0)
  }, 60_000)

  it('reads a byte-order mark as nothing, and a module that is not UTF-8 as a diagnostic at its byte', () => {
    const bom = '\uFEFF'
    const dir = project({
      'index.ts': `${bom}import { file, sls, top } from 'salt-dsl'\nimport { motd } from './motd.ts'\nexport const a = sls('a', () => { file('/etc/motd', { contents: motd }) })\ntop('*', [a])\n`,
      'motd.ts': `${bom}export const motd = 'Café ouvert'\n`,
    })
    const run = dsl(['build', join(dir, 'index.ts'), '--out', join(dir, 'out'), '--no-typecheck'])
    expect(run.status, run.stderr).toBe(0)
    expect(sls(dir, 'a')).toContain('contents: Café ouvert')
    expect(sls(dir, 'a')).not.toContain(bom)
    // the same text in Latin-1: é is the byte 0xE9, which UTF-8 would silently read as U+FFFD
    writeFileSync(
      join(dir, 'motd.ts'),
      Buffer.from("// the motd\nexport const motd = 'Café ouvert'\n", 'latin1'),
    )
    const broken = dsl(['build', join(dir, 'index.ts'), '--out', join(dir, 'out'), '--no-typecheck'])
    expect(broken.status).toBe(1)
    expect(broken.stderr).toContain('motd.ts:2:25 - error DSL1034')
    expect(sls(dir, 'a')).toContain('contents: Café ouvert')
  })

  it('runs what an async helper awaits synchronously, within the run (its states count)', () => {
    const dir = project({
      'index.ts': `import { pkg, sls, top } from 'salt-dsl'
async function names(): Promise<string[]> {
  return ['git', 'jq']
}
export const a = sls('a', () => { pkg('vim') })
void names().then((list) => {
  sls('b', () => { for (const n of list) pkg(n) })
})
top('*', [a])
`,
    })
    const run = dsl(['build', join(dir, 'index.ts'), '--out', join(dir, 'out'), '--no-typecheck'])
    expect(run.status, run.stderr).toBe(0)
    expect(sls(dir, 'b')).toContain('jq:')
  })

  it('puts back the working directory, umask and environment a config changed, with a warning', () => {
    const dir = project({
      'index.ts': `import { file, sls, top } from 'salt-dsl'
export const a = sls('a', () => { file('/etc/motd', { contents: 'hi' }) })
top('*', [a])
process.chdir('/')
process.umask(0)
process.env.PATH = '/nowhere'
`,
    })
    const out = join(dir, 'out')
    const run = dsl(['build', join(dir, 'index.ts'), '--out', out, '--no-typecheck'])
    expect(run.status, run.stderr).toBe(0)
    for (const what of ['the working directory', 'the umask', 'environment variables (PATH)'])
      expect(run.stderr).toContain(`warning DSL1038: the config changed ${what}; it was put back`)
    expect(readTree(out).get('salt/a.sls')?.toString()).toContain('/etc/motd:')
  })

  it('a watch whose config freezes a builtin reports it and exits 1 (it cannot be contained)', async () => {
    const dir = project({
      'index.ts': "import { pkg, sls } from 'salt-dsl'\nsls('base', () => { pkg('git') })\n",
    })
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin/dsl.js'), 'build', dir, '--out', join(dir, 'out'), '--watch'],
      {
        cwd: REPO,
        detached: true,
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
    for (let i = 0; i < 300 && !stdout.includes('rebuilt in'); i++)
      await new Promise((r) => setTimeout(r, 50))
    expect(stdout, stderr).toContain('rebuilt in')
    writeFileSync(
      join(dir, 'index.ts'),
      "import { pkg, sls } from 'salt-dsl'\nsls('base', () => { pkg('git') })\nObject.freeze(Object.prototype)\n",
    )
    const hung = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000)
    const code = await closed
    clearTimeout(hung)
    expect(stderr).toContain('DSL1039')
    expect(code).toBe(1)
  })

  it('config code the compiler calls after the run (a pillar refinement, a requisite thunk) has the same timeout', async () => {
    const refined = (
      check: string,
      motd = 'hello',
    ) => `import { file, inventory, layer, pillarSchema, profile, sls, z } from 'salt-dsl'
const { pillar } = pillarSchema(z.object({ motd: z.string().refine((text: string) => { ${check}; return true }) }))
layer('defaults/common', { motd: '${motd}' })
const base = sls('base', () => { file('/etc/motd', { contents: pillar.motd }) })
const minimal = profile('minimal', { sls: [base] })
inventory({
  machines: { box: { platform: 'ubuntu', environment: 'home', profile: minimal } },
  onboarding: { environment: 'home', profile: minimal },
})
`
    const thunk =
      "import { pkg, sls } from 'salt-dsl'\nsls('base', () => { pkg('vim', { require: [() => { for (;;) {} }] } as never) })\n"
    for (const text of [refined('for (;;) {}'), thunk]) {
      const dir = project({ 'index.ts': text })
      for (const args of COMMANDS(dir).slice(0, 2)) {
        const run = await bounded(args)
        expect(run.hung, `${args[0]} never ended: ${run.stdout}${run.stderr}`).toBe(false)
        expect(run.status, run.stderr).toBe(1)
        expect(errorsOf(run.stdout)).toEqual(['DSL1040 undefined:undefined'])
      }
    }
    // AND a watch reports it, goes on, and builds the fixed config whole (what the stopped stages kept is dropped)
    const dir = project({ 'index.ts': refined('', 'one') })
    const out = join(dir, 'out')
    const child = spawn(process.execPath, [join(REPO, 'bin/dsl.js'), 'build', dir, '--out', out, '--watch'], {
      cwd: REPO,
      env: { ...process.env, DSL_LOAD_TIMEOUT_MS: '2000' },
      detached: true,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 300 && !test(); i++) await new Promise((r) => setTimeout(r, 50))
      expect(test(), `stdout: ${stdout}\nstderr: ${stderr}`).toBe(true)
    }
    const motd = () =>
      existsSync(out) ? (readTree(out).get('pillar/defaults/common.sls')?.toString() ?? '') : ''
    try {
      await until(() => motd().includes('one'))
      writeFileSync(join(dir, 'index.ts'), refined("if (text === 'two') for (;;) {}", 'two'))
      await until(() => stderr.includes('DSL1040'))
      writeFileSync(join(dir, 'index.ts'), refined('', 'three'))
      await until(() => motd().includes('three'))
    } finally {
      child.kill('SIGINT')
    }
    const hung = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000)
    expect(await closed).toBe(0)
    clearTimeout(hung)
  })

  it("sends what the config prints to stderr: stdout holds only the CLI's own output (JSON, an SLS)", () => {
    const dir = project({
      'index.ts': `import { pkg, sls } from 'salt-dsl'
console.log('debugging the config')
process.stdout.write('more of it\\n')
sls('base', () => { pkg('git') })
`,
    })
    const built = dsl(['build', dir, '--out', join(dir, 'out'), '--no-typecheck', '--format', 'json'])
    expect(built.status, built.stderr).toBe(0)
    expect(JSON.parse(built.stdout)).toHaveProperty('diagnostics')
    expect(built.stderr).toContain('debugging the config')
    const shown = dsl(['show', 'base', dir])
    expect(shown.status, shown.stderr).toBe(0)
    expect(shown.stdout).not.toContain('debugging')
    expect(shown.stdout).not.toContain('more of it')
    expect(shown.stdout).toContain('pkg.installed')
  })
})
