import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { masterlessMinionConfig } from '../../compiler/salt/minion-config.ts'

/** A simulated machine: minion id, the two trees it reads, and the grains/options it pretends to have. */
export interface MinionSpec {
  readonly id: string
  /** Absolute path of `out/salt` (file_roots base). */
  readonly fileRoot: string
  /** Absolute path of `out/pillar` (pillar_roots base). */
  readonly pillarRoot: string
  /** Static grains; they override the host's core grains of the same name (see `GRAINS`). */
  readonly grains?: Readonly<Record<string, unknown>>
  /** Extra minion options, e.g. `{ pillar_merge_lists: true }`; they win over the harness defaults. */
  readonly options?: Readonly<Record<string, unknown>>
}

/** What one `salt-call --local --out=json` reported: exit status, the `local` payload, and both streams. */
export interface SaltResult {
  /** Exit status (with `retcodePassthrough`: Salt's own retcode, e.g. 2 for a failed state). */
  readonly retcode: number
  /** `local` of the JSON on stdout; `undefined` when stdout holds no JSON (Salt printed nothing). */
  readonly data: unknown
  readonly stdout: string
  readonly stderr: string
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const VENV_BIN = join(ROOT, '.venv', 'bin')
const ORACLE_SCRIPT = join(ROOT, 'test', 'support', 'salt-oracle.py')
const TIMEOUT_MS = 300_000

function venvTool(name: string): string {
  const path = join(VENV_BIN, name)
  if (!existsSync(path))
    throw new Error(`Salt is not installed: run bash scripts/setup.sh (${path} is missing)`)
  return path
}

/** Absolute path of `.venv/bin/salt-call`; throws "Salt is not installed: run bash scripts/setup.sh" if absent. */
export function saltCallPath(): string {
  return venvTool('salt-call')
}

/**
 * Writes `<dir>/conf/minion` (JSON, which is YAML) for a masterless minion whose root_dir, cachedir, pki,
 * sockets, pidfile and log all live under `<dir>/root`, and returns the config dir. Also writes
 * `<dir>/conf/master` the same way: `saltutil.runner` (orchestrate's `salt.runner` steps) reads it and
 * would otherwise write jobs under `/var/cache/salt/master`.
 * Harness default: `pillar_mask_output: false` (Salt 3008 prints pillar.items values as `**********`).
 */
function writeMinionConfig(spec: MinionSpec, dir: string): string {
  const conf = join(dir, 'conf')
  mkdirSync(conf, { recursive: true })
  const under = (root: string) => ({
    root_dir: root,
    cachedir: join(root, 'cache'),
    pki_dir: join(root, 'pki'),
    sock_dir: join(root, 'sock'),
    pidfile: join(root, 'salt.pid'),
    log_file: join(root, 'salt.log'),
    file_roots: { base: [spec.fileRoot] },
    pillar_roots: { base: [spec.pillarRoot] },
  })
  const minion = masterlessMinionConfig({
    id: spec.id,
    fileRoot: spec.fileRoot,
    pillarRoot: spec.pillarRoot,
    root: join(dir, 'root'),
    ...(spec.grains === undefined ? {} : { grains: spec.grains }),
    options: { pillar_mask_output: false, ...spec.options },
  })
  mkdirSync(join(dir, 'master', 'cache', 'proc'), { recursive: true }) // salt-master would create it
  writeFileSync(join(conf, 'master'), `${JSON.stringify(under(join(dir, 'master')), null, 2)}\n`)
  writeFileSync(join(conf, 'minion'), `${JSON.stringify(minion, null, 2)}\n`)
  if (!existsSync(join(conf, 'minion'))) throw new Error(`could not write ${join(conf, 'minion')}`)
  return conf
}

function parseLocal(stdout: string): unknown {
  try {
    const parsed: unknown = JSON.parse(stdout)
    return parsed !== null && typeof parsed === 'object' && 'local' in parsed ? parsed.local : undefined
  } catch {
    return undefined
  }
}

/** Options of one `saltCall`. */
export interface SaltCallOptions {
  /** Append `test=True`. */
  readonly test?: boolean
  /** Pass `--retcode-passthrough`, so `retcode` is Salt's own (2 failed state, 5 pillar error, ...). */
  readonly retcodePassthrough?: boolean
  /** Kill salt-call after this long (default 300 s) and reject. */
  readonly timeoutMs?: number
}

/**
 * Runs one real `salt-call --local -c <fresh temp conf> --out=json --out-indent=-1` (~0.65 s of start-up)
 * with a fresh cachedir, and removes the temp dir afterwards. Arguments are CLI strings (`a`, `k=v`).
 *
 * @example
 * await saltCall(spec, 'state.show_sls', ['base']) // { retcode: 0, data: { pkgs: { pkg: [...] } }, ... }
 */
export async function saltCall(
  spec: MinionSpec,
  fun: string,
  args: readonly string[] = [],
  opts: SaltCallOptions = {},
): Promise<SaltResult> {
  const bin = saltCallPath()
  const dir = mkdtempSync(join(tmpdir(), 'salt-call-'))
  try {
    const conf = writeMinionConfig(spec, dir)
    const argv = ['--local', '-c', conf, '--out=json', '--out-indent=-1']
    if (opts.retcodePassthrough === true) argv.push('--retcode-passthrough')
    argv.push(fun, ...args, ...(opts.test === true ? ['test=True'] : []))
    const { code, stdout, stderr } = await run(bin, argv, opts.timeoutMs ?? TIMEOUT_MS, dir)
    return { retcode: code, data: parseLocal(stdout), stdout, stderr }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Salt's own temp files (`__salt.tmp.*`) go to `tmp`, which the caller removes. */
function run(bin: string, argv: readonly string[], timeoutMs: number, tmp: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(bin, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: tmp },
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8')
      if (code === null) reject(new Error(`salt-call ${argv.join(' ')} killed (${signal}):\n${stderr}`))
      else resolve({ code, stdout, stderr })
    })
  })
}

/** Options of one `SaltOracle.call`. */
export interface OracleCallOptions {
  /**
   * `true` (default): `retcode` is what `salt-call --retcode-passthrough` exits with (Salt's retcode: 2 for
   * a failed state). `false`: what plain `salt-call` exits with (0 or 1, 255 for an unknown function).
   */
  readonly retcodePassthrough?: boolean
  /** Reject (and kill the oracle, which is then unusable) after this long; default 300 s. */
  readonly timeoutMs?: number
}

/**
 * Functions that change the minion they run on (loaders, grains, pillar, extension modules): served by a
 * real `salt-call` so that they cannot leave a cached caller different from a fresh one.
 */
const OUT_OF_PROCESS = /^(saltutil\.|sys\.reload_modules$|grains\.(set|append|remove|del)|state\.orch)/

type Pending = { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }

/**
 * A long-lived `.venv/bin/python3 test/support/salt-oracle.py` that serves `salt-call --local --out=json`
 * calls for many minion specs without paying Salt's start-up each time: one cached caller per spec (keyed
 * by the spec's JSON), rebuilt with an empty cachedir whenever a file of its trees changes. Calls are
 * served one at a time, in order. Payload, stdout and retcode are those of `saltCall` with
 * `retcodePassthrough: true` (pass `{ retcodePassthrough: false }` for plain salt-call's 0/1).
 * Functions that alter the minion itself (`saltutil.*`, `grains.set*`, `state.orch*`...) run via `saltCall`.
 *
 * @example
 * const oracle = await SaltOracle.start()
 * await oracle.call(spec, 'state.apply', [], { test: true }) // { retcode: 0, data: { 'file_|-...': {...} } }
 * await oracle.close()
 */
export class SaltOracle {
  readonly #proc: ChildProcessWithoutNullStreams
  readonly #dir: string
  readonly #pending = new Map<number, Pending>()
  readonly #confDirs = new Map<string, string>()
  #nextId = 1
  #stderrTail = ''
  #dead: Error | undefined

  // Removes the temp dir even when a test ends without close().
  readonly #cleanup = () => rmSync(this.#dir, { recursive: true, force: true })

  private constructor(proc: ChildProcessWithoutNullStreams, dir: string) {
    this.#proc = proc
    this.#dir = dir
    process.once('exit', this.#cleanup)
  }

  /** Spawns the oracle and waits until Salt is imported (~0.4 s). */
  static async start(): Promise<SaltOracle> {
    const python = venvTool('python3') // salt-call's interpreter: the pythonexecutable grain
    venvTool('salt-call')
    const dir = mkdtempSync(join(tmpdir(), 'salt-oracle-'))
    const proc = spawn(python, [ORACLE_SCRIPT], {
      stdio: 'pipe',
      // Salt's renderers leave their __salt.tmp.* files behind: they go with the oracle's own dir
      env: { ...process.env, PYTHONUNBUFFERED: '1', TMPDIR: dir },
    })
    const oracle = new SaltOracle(proc, dir)
    const ready = new Promise<void>((resolve, reject) => {
      oracle.#pending.set(0, { resolve: () => resolve(), reject })
    })
    proc.stderr.on('data', (b: Buffer) => {
      oracle.#stderrTail = (oracle.#stderrTail + b.toString('utf8')).slice(-8000)
    })
    createInterface({ input: proc.stdout }).on('line', (line) => oracle.#onLine(line))
    proc.on('exit', (code, signal) => oracle.#fail(`salt-oracle exited (${code ?? signal})`))
    proc.on('error', (e) => oracle.#fail(`salt-oracle failed to start: ${e.message}`))
    proc.stdin.on('error', () => {}) // EPIPE after a crash: 'exit' reports it
    await ready.catch(async (e: unknown) => {
      proc.kill('SIGKILL')
      await oracle.close()
      throw e
    })
    return oracle
  }

  #onLine(line: string): void {
    const msg = JSON.parse(line) as Record<string, unknown>
    const id = msg.ready === true ? 0 : Number(msg.id)
    const pending = this.#pending.get(id)
    this.#pending.delete(id)
    if (pending === undefined) return
    if (msg.ok === false) pending.reject(new Error(`salt-oracle: ${String(msg.error)}`))
    else pending.resolve(msg)
  }

  #fail(reason: string): void {
    this.#dead ??= new Error(`${reason}\n${this.#stderrTail}`)
    for (const p of this.#pending.values()) p.reject(this.#dead)
    this.#pending.clear()
  }

  #request(msg: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead)
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(`salt-oracle: ${String(msg.fun ?? msg.op)} timed out after ${timeoutMs} ms`)
        this.#proc.kill('SIGKILL')
      }, timeoutMs)
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer)
          resolve(v)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
      this.#proc.stdin.write(`${JSON.stringify({ ...msg, id })}\n`)
    })
  }

  #confDir(spec: MinionSpec, key: string): string {
    let conf = this.#confDirs.get(key)
    if (conf === undefined) {
      conf = writeMinionConfig(spec, join(this.#dir, `spec-${this.#confDirs.size}`))
      this.#confDirs.set(key, conf)
    }
    return conf
  }

  /**
   * Runs `fun` as `salt-call --local --out=json fun args... key=value...` would, for the machine `spec`.
   * String arguments are parsed like CLI words (YAML, `k=v` becomes a keyword); other values pass as-is.
   */
  async call(
    spec: MinionSpec,
    fun: string,
    args: readonly unknown[] = [],
    kwargs: Readonly<Record<string, unknown>> = {},
    opts: OracleCallOptions = {},
  ): Promise<SaltResult> {
    const passthrough = opts.retcodePassthrough ?? true
    if (OUT_OF_PROCESS.test(fun)) {
      const words = [...args.map(cliWord), ...Object.entries(kwargs).map(([k, v]) => `${k}=${cliWord(v)}`)]
      return saltCall(spec, fun, words, {
        retcodePassthrough: passthrough,
        timeoutMs: opts.timeoutMs ?? TIMEOUT_MS,
      })
    }
    const key = stableJson(spec)
    const msg = { op: 'call', key, confDir: this.#confDir(spec, key), fun, args, kwargs }
    const answer = await this.#request(msg, opts.timeoutMs ?? TIMEOUT_MS)
    const stdout = String(answer.stdout)
    const retcode = Number(passthrough ? answer.retcode : answer.exit)
    return { retcode, data: parseLocal(stdout), stdout, stderr: String(answer.stderr) }
  }

  /** Ends the Python process and removes every temp dir (configs and caches) it used. */
  async close(): Promise<void> {
    if (this.#dead === undefined && this.#proc.exitCode === null) {
      const exited = new Promise<void>((resolve) => this.#proc.once('exit', () => resolve()))
      const timer = setTimeout(() => this.#proc.kill('SIGKILL'), 10_000)
      this.#proc.stdin.end()
      await exited
      clearTimeout(timer)
    }
    this.#dead ??= new Error('salt-oracle is closed')
    process.off('exit', this.#cleanup)
    this.#cleanup()
  }
}

function cliWord(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

type Grains = Readonly<Record<string, unknown>>
type Platform = readonly [
  os: string,
  os_family: string,
  osfullname: string,
  osrelease: string,
  osfinger: string,
  oscodename: string,
  kernelrelease: string,
  osarch: string,
]

/** A platform's identity grains plus those Salt 3008's core grains derive from them. */
function platform(row: Platform): Grains {
  const [os, os_family, osfullname, osrelease, osfinger, oscodename, kernelrelease, osarch] = row
  const info = osrelease === '' ? [] : osrelease.split('.').map(Number)
  const mac = os === 'MacOS'
  return Object.freeze({
    os,
    os_family,
    osfullname,
    osrelease,
    osrelease_info: info,
    osmajorrelease: info[0] ?? '',
    osfinger,
    oscodename,
    osarch,
    kernel: mac ? 'Darwin' : 'Linux',
    kernelrelease,
    cpuarch: mac ? 'arm64' : 'x86_64',
    init: mac ? 'launchd' : 'systemd',
    lsb_distrib_id: mac ? '' : osfullname,
    lsb_distrib_release: mac ? '' : osrelease,
    lsb_distrib_codename: mac ? '' : oscodename,
    virtual: 'physical',
  })
}

/**
 * Core grains of five platforms for `MinionSpec.grains`. Static grains only override: every other grain
 * keeps the host's value, so identity grains a platform lacks (Arch has no release, hence no osfinger or
 * osmajorrelease) are `''` here rather than left to leak from the host.
 *
 * @example
 * { id: 'm1', fileRoot, pillarRoot, grains: GRAINS.arch } // top-file `os_family:Arch` now matches
 */
export const GRAINS: Readonly<Record<'macos' | 'ubuntu' | 'debian' | 'arch' | 'fedora', Grains>> =
  // biome-ignore format: one platform per row
  Object.freeze({
    macos: platform(['MacOS', 'MacOS', 'macOS 14.5', '14.5', 'macOS 14.5-14', '', '23.5.0', 'arm64']),
    ubuntu: platform(['Ubuntu', 'Debian', 'Ubuntu', '24.04', 'Ubuntu-24.04', 'noble', '6.8.0-41-generic', 'amd64']),
    debian: platform(['Debian', 'Debian', 'Debian GNU/Linux', '12', 'Debian-12', 'bookworm', '6.1.0-23-amd64', 'amd64']),
    arch: platform(['Arch', 'Arch', 'Arch Linux', '', '', '', '6.10.10-arch1-1', 'x86_64']),
    fedora: platform(['Fedora', 'RedHat', 'Fedora Linux', '40', 'Fedora Linux-40', '', '6.8.5-301.fc40.x86_64', 'x86_64']),
  })
