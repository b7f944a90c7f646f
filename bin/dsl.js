#!/usr/bin/env node
// Loads the bundled CLI with V8's code cache: compiling the megabyte bundle (and the functions a build
// runs) is then read back instead of redone on every start.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Script } from 'node:vm'

const cli = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url))
if (!existsSync(cli)) {
  process.stderr.write(
    'dsl: the CLI is not built; run `bash scripts/setup.sh` (or `npm run build:cli`) first\n',
  )
  process.exit(2)
}

// `dsl plan` and `dsl apply` run Salt on this host: its Python and modules (a third of a salt-call) start
// loading now, while the CLI itself loads; the CLI adopts it when it wants the same Python (the project's
// .venv, else salt-dsl's own) and ends it otherwise. A fleet run's Salt runs on the master.
const command = process.argv[2]
const fleetRun = process.argv.some((a) => a === '--all' || a === '--target' || a.startsWith('--target='))
if ((command === 'plan' || command === 'apply') && !fleetRun) warmSaltEarly(dirname(dirname(cli)))

function warmSaltEarly(packageRoot) {
  const script = join(packageRoot, 'compiler', 'salt', 'warm-call.py')
  let dir = process.cwd()
  let python
  for (;;) {
    if (existsSync(join(dir, '.venv', 'bin', 'salt-call'))) break
    const up = dirname(dir)
    if (up === dir) break
    dir = up
  }
  for (const at of [dir, packageRoot]) {
    const candidate = join(at, '.venv', 'bin', 'python')
    if (existsSync(candidate) && existsSync(join(at, '.venv', 'bin', 'salt-call'))) {
      python = candidate
      break
    }
  }
  if (python === undefined || !existsSync(script)) return
  const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] })
  child.on('error', () => {})
  child.stdin?.on('error', () => {})
  // waiting, it keeps nothing alive: dsl may end without it
  child.unref()
  for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.unref?.()
  globalThis.__saltDslWarmSalt = { python, child }
}

const source = readFileSync(cli, 'utf8')
const stat = statSync(cli)
const key = createHash('sha256')
  .update(`${process.version} ${process.arch} ${stat.size} ${stat.mtimeMs}`)
  .digest('hex')
  .slice(0, 16)
const root = dirname(dirname(cli))
const cacheDir = existsSync(join(root, 'node_modules'))
  ? join(root, 'node_modules', '.cache', 'salt-dsl')
  : join(tmpdir(), 'salt-dsl-cache')
const cacheFile = join(cacheDir, `cli-${key}.v8cache`)
let cachedData
try {
  cachedData = process.env.DSL_NO_CODE_CACHE ? undefined : readFileSync(cacheFile)
} catch {
  cachedData = undefined
}

// one line, so the bundle's own line numbers (and its source map) stay as they are
const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`
const script = new Script(wrapper, { filename: cli, ...(cachedData ? { cachedData } : {}) })
const module = { exports: {} }
script.runInThisContext()(module.exports, createRequire(cli), module, cli, dirname(cli))
process.exitCode = await module.exports.main(process.argv.slice(2))

// written after a command that compiles a config, so the cache covers the functions a build runs
const compiles = ['build', 'check', 'show', 'explain'].includes(process.argv[2] ?? '')
if (compiles && !process.env.DSL_NO_CODE_CACHE && (cachedData === undefined || script.cachedDataRejected)) {
  // after the run: the cache then holds the functions it compiled too; a cache that cannot be written
  // only costs the next start its shortcut
  try {
    mkdirSync(cacheDir, { recursive: true })
    const partial = `${cacheFile}.${process.pid}`
    writeFileSync(partial, script.createCachedData())
    renameSync(partial, cacheFile)
    // caches of earlier builds of the CLI are dead weight now
    for (const name of readdirSync(cacheDir)) {
      if (/^cli-[0-9a-f]{16}\.v8cache$/.test(name) && join(cacheDir, name) !== cacheFile) {
        rmSync(join(cacheDir, name), { force: true })
      }
    }
  } catch {}
}
