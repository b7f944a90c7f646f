import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { Origin } from '../../dsl/ir.ts'
import { type Diagnostic, error, type StageResult } from '../diagnostics.ts'
import { cleanupOnExit } from '../exit-cleanup.ts'
import { cacheDir, findUp, PACKAGE_ROOT } from '../paths.ts'
import { isAlive, SELF } from '../process-id.ts'
import { runProcess } from '../run-process.ts'

const TS_DIR = dirname(createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('typescript/package.json'))

/**
 * The TypeScript compiler to run: the native binary itself when its platform package is there (saves the
 * Node wrapper's own start-up), else the package's `bin/tsc` under Node.
 */
const TSC: { readonly cmd: string; readonly args: readonly string[] } = (() => {
  const native = join(
    TS_DIR,
    '..',
    '@typescript',
    `typescript-${process.platform}-${process.arch}`,
    'lib',
    'tsc',
  )
  return existsSync(native)
    ? { cmd: native, args: [] }
    : { cmd: process.execPath, args: [join(TS_DIR, 'bin', 'tsc')] }
})()

/**
 * tsc runs under `nice`: on a small machine it would otherwise take cores from the stages that run
 * meanwhile, which are the longer path (20k-state builds after an edit: 2–7 % faster in 5 of 6 paired runs).
 */
const NICE = ['/usr/bin/nice', '/bin/nice'].find((path) => existsSync(path))

/** Where tsc keeps its incremental state for a project (a rebuild of unchanged files is then cheap). */
function buildInfoFile(project: string, entry: string): string {
  const cache = cacheDir(project)
  mkdirSync(cache, { recursive: true })
  return join(cache, `tsc-${createHash('sha256').update(entry).digest('hex').slice(0, 16)}.tsbuildinfo`)
}

/** The TypeScript diagnostics of the user's config, by the TypeScript compiler, in our format. */
export async function typecheckConfig(
  entry: string,
  root: string,
  signal?: AbortSignal,
): Promise<StageResult<undefined>> {
  const project = findUp(root, (dir) => existsSync(join(dir, 'tsconfig.json')))
  const base = join(project, 'tsconfig.json')
  const config = temporaryConfig(project)
  const options = {
    noEmit: true,
    incremental: true,
    composite: false,
    tsBuildInfoFile: buildInfoFile(project, entry),
  }
  const settings = existsSync(base)
    ? { extends: base, compilerOptions: options, files: [entry], include: [] }
    : {
        compilerOptions: {
          ...options,
          ...DEFAULTS,
          paths: { 'salt-dsl': [join(PACKAGE_ROOT, 'dsl', 'index.ts')] },
        },
        files: [entry],
      }
  const stamp = `${options.tsBuildInfoFile}.clean.json`
  const key = createHash('sha256')
    .update(JSON.stringify([TSC, settings]))
    .digest('hex')
  if (isUpToDate(stamp, key)) return { value: undefined, diagnostics: [] }
  writeFileSync(config, JSON.stringify(settings))
  const unregister = cleanupOnExit(() => rmSync(config, { force: true }))
  try {
    const started = Date.now()
    const tscArgs = [...TSC.args, '-p', config, '--pretty', 'false', '--listFiles']
    const { code, stdout, stderr } = await runProcess(
      NICE ?? TSC.cmd,
      NICE ? ['-n', '10', TSC.cmd, ...tscArgs] : tscArgs,
      project,
      signal,
    )
    const { files, rest } = splitFileList(stdout)
    const output = rest + stderr
    const diagnostics = parseTscOutput(output, project)
    if (code === 0 && diagnostics.length === 0) {
      writeStamp(stamp, key, [...files, ...configChain(base), join(project, 'package.json')], started)
    }
    if (code !== 0 && diagnostics.length === 0) {
      return {
        value: undefined,
        diagnostics: [error('DSL2001', `the TypeScript compiler failed: ${output.trim()}`)],
      }
    }
    return { value: undefined, diagnostics }
  } finally {
    rmSync(config, { force: true })
    unregister()
  }
}

/**
 * Where the tsconfig tsc is run with is written: never into the user's project (where a build stopped
 * by a kill would leave it to be committed), but under the nearest `node_modules/` above it, whose
 * walk up to `node_modules/@types` passes the same directories as the project's own (the default
 * `typeRoots` are found from the tsconfig's directory; `extends`, `include` and `paths` are relative
 * to the tsconfig that sets them, and ours sets only absolute paths). One a killed build left is
 * removed by the next.
 */
function temporaryConfig(project: string): string {
  const dir = cacheDir(project)
  mkdirSync(dir, { recursive: true })
  for (const name of readdirSync(dir)) {
    const owner = name.match(/^tsconfig-(\d+-\d*)-\d+\.json$/)?.[1]
    if (owner !== undefined && !isAlive(owner)) rmSync(join(dir, name), { force: true })
  }
  return join(dir, `tsconfig-${SELF}-${Date.now()}.json`)
}

/**
 * tsc's own up-to-date check, as `tsc --build` does it: a config whose last check was clean, and none of
 * whose files (every file tsc read, the tsconfig and package.json) has changed size or mtime since, is
 * clean still, without starting tsc. A file tsc never read (a new `.d.ts` that would shadow a module,
 * say) is not noticed until one of those changes; `rm node_modules/.cache/salt-dsl` forces a check.
 */
interface Stamp {
  readonly key: string
  readonly files: readonly (readonly [path: string, mtimeMs: number, size: number])[]
}

function isUpToDate(stamp: string, key: string): boolean {
  let parsed: Stamp
  try {
    parsed = JSON.parse(readFileSync(stamp, 'utf8')) as Stamp
  } catch {
    return false
  }
  if (parsed.key !== key || !Array.isArray(parsed.files)) return false
  return parsed.files.every(([path, mtimeMs, size]) => {
    const now = statSync(path, { throwIfNoEntry: false })
    if (mtimeMs === -1) return now === undefined
    return now !== undefined && now.mtimeMs === mtimeMs && now.size === size
  })
}

/** Records a clean check; not when a file changed while tsc ran (its mtime would vouch for unread text). */
function writeStamp(stamp: string, key: string, paths: readonly string[], started: number): void {
  const files: [string, number, number][] = []
  for (const path of new Set(paths)) {
    const now = statSync(path, { throwIfNoEntry: false })
    if (now !== undefined && now.mtimeMs >= started) return
    files.push(now === undefined ? [path, -1, -1] : [path, now.mtimeMs, now.size])
  }
  try {
    writeFileSync(stamp, JSON.stringify({ key, files }))
  } catch {
    // a cache that cannot be written only costs the next check its shortcut
  }
}

/** A tsconfig and the files it `extends` by path (package-named bases are covered by package.json). */
/** A tsconfig and the ones it extends (relative `extends` only), nearest first. */
export function configChain(config: string): string[] {
  const chain: string[] = []
  for (let file: string | undefined = config; file !== undefined && chain.length < 16; ) {
    chain.push(file)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      break
    }
    const base = text.match(/"extends"\s*:\s*"([^"]+)"/)?.[1]
    if (base === undefined || !/^\.{0,2}\//.test(base)) break
    const next = resolve(dirname(file), base)
    file = next.endsWith('.json') ? next : `${next}.json`
  }
  return chain
}

/** `--listFiles` prints every file of the program, one absolute path per line, before the diagnostics. */
function splitFileList(stdout: string): { files: string[]; rest: string } {
  const files: string[] = []
  const rest: string[] = []
  for (const line of stdout.split('\n')) {
    if (isAbsolute(line) && !LINE.test(line) && !GLOBAL.test(line)) files.push(line)
    else rest.push(line)
  }
  return { files, rest: rest.join('\n') }
}

const DEFAULTS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
}

const LINE = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/
const GLOBAL = /^(error|warning) (TS\d+): (.*)$/

/** Parses `file(line,col): error TSnnnn: message` and `error TSnnnn: message`; indented lines continue a message. */
export function parseTscOutput(output: string, cwd: string): Diagnostic[] {
  const out: Diagnostic[] = []
  let current: { code: string; message: string; origin?: Origin } | undefined
  const flush = () => {
    if (current) out.push(error(current.code, current.message, current.origin))
    current = undefined
  }
  for (const line of output.split('\n')) {
    const located = line.match(LINE)
    const global = located ? undefined : line.match(GLOBAL)
    if (located) {
      flush()
      const origin = {
        file: resolve(cwd, located[1] ?? ''),
        line: Number(located[2]),
        column: Number(located[3]),
      }
      current = { code: located[5] ?? 'TS0', message: located[6] ?? '', origin }
    } else if (global) {
      flush()
      current = { code: global[2] ?? 'TS0', message: global[3] ?? '' }
    } else if (current && /^\s+\S/.test(line)) {
      current.message += `\n${line}`
    } else if (line.trim() !== '') {
      flush()
      current = { code: 'DSL2001', message: line.trim() }
    }
  }
  flush()
  return out
}
