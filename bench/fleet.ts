// A fleet: what `dsl apply --all --yes` and `dsl plan --all` cost over 1, 5, 20 (50) minions, against the same
// run done by hand with Salt's own `salt '*' state.apply` on the same published tree.
// Run as root from the repository: `npm run bench:fleet` (BENCH_SIZES=1,5,20,50 BENCH_RUNS=3 BENCH_FILES=20).
// A real salt-master and N real minions run on 127.0.0.1, each with its own root_dir and ports
// (test/fleet/daemons.ts), and are killed by process group whatever happens. The script bundles this file
// two directories deep (.bench/fleet/), as deep as test/fleet/: the helpers find the repository from there.

import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type LoopbackFleet, startFleet, until } from '../test/fleet/daemons.ts'

const SIZES = (process.env.BENCH_SIZES ?? '1,5,20').split(',').map(Number)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const FILES = Number(process.env.BENCH_FILES ?? 20)
const ROOT = resolve('.') // npm runs it from the repository
const DSL = join(ROOT, 'bin', 'dsl.js')
const SALT = join(ROOT, '.venv', 'bin', 'salt')
const FIXTURE = 'bench/fleet-fixture'

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`

/** Every process's parent (from /proc): a command's whole tree is summed, Salt's children included. */
function processTree(root: number): number[] {
  const parent = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parent.set(ppid, [...(parent.get(ppid) ?? []), Number(name)])
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root]
  for (let i = 0; i < tree.length; i++) tree.push(...(parent.get(tree[i]!) ?? []))
  return tree
}

function rss(pids: readonly number[]): number {
  let total = 0
  for (const pid of pids)
    try {
      total += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096
    } catch {
      // gone meanwhile
    }
  return total
}

interface Measured {
  readonly ms: number
  /** The highest sum of resident memory of the command's process tree, sampled every 50 ms. */
  readonly peak: number
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command, timing it and sampling its process tree's memory. */
function measure(cmd: string, args: readonly string[], env: Record<string, string>): Promise<Measured> {
  const t0 = performance.now()
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let peak = 0
    const sample = setInterval(() => {
      if (child.pid !== undefined) peak = Math.max(peak, rss(processTree(child.pid)))
    }, 50)
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', fail)
    child.on('close', (code) => {
      clearInterval(sample)
      done({
        ms: performance.now() - t0,
        peak,
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      })
    })
  })
}

/** Salt's own run: every minion returned and every state succeeded (else the figure means nothing). */
function checkSalt(run: Measured, n: number, test: boolean): void {
  const returns: Record<string, Record<string, { result: boolean | null }>> = {}
  for (const line of run.stdout.split('\n'))
    if (line.startsWith('{')) Object.assign(returns, JSON.parse(line) as typeof returns)
  const ok = Object.values(returns).filter(
    (r) =>
      typeof r === 'object' &&
      Object.values(r).length === FILES + 1 &&
      Object.values(r).every((x) => x.result === true || (test && x.result === null)),
  )
  if (ok.length !== n)
    throw new Error(`salt state.apply: ${ok.length} of ${n} minions succeeded\n${run.stdout.slice(0, 2000)}`)
}

function checkDsl(run: Measured, what: string, codes: readonly number[] = [0]): void {
  if (!codes.includes(run.code))
    throw new Error(`${what} exited ${run.code}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`)
}

interface SizeResult {
  readonly minions: number
  readonly states: number
  readonly startMs: number
  readonly build: readonly Measured[]
  readonly dslFresh: readonly Measured[]
  readonly dslConverged: readonly Measured[]
  readonly saltFresh: readonly Measured[]
  readonly saltConverged: readonly Measured[]
  readonly planAll: readonly Measured[]
  readonly saltTest: readonly Measured[]
  /** The median `dsl plan --machine ID` of each sampled minion. */
  readonly planOne: readonly { readonly id: string; readonly ms: number }[]
  /** The median `salt ID state.apply test=True` of each sampled minion: Salt's own single plan. */
  readonly saltOne: readonly { readonly id: string; readonly ms: number }[]
  /** Resident memory of the master and all minions, after the runs. */
  readonly daemons: number
}

async function benchSize(n: number): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), `bench-fleet-${n}-`))
  const out = join(dir, 'out')
  const root = join(dir, 'root')
  const env = {
    BENCH_MINIONS: String(n),
    BENCH_FILES: String(FILES),
    BENCH_ROOT: root,
    BENCH_PUBLISH: join(dir, 'publish'),
    DSL_STATE_DIR: join(dir, 'state'),
    DSL_SALT_CONFIG: join(dir, 'conf-master'),
    NO_COLOR: '1',
  }
  const ids = Array.from({ length: n }, (_, i) => `bench-${i}`)
  let fleet: LoopbackFleet | undefined
  try {
    const build: Measured[] = []
    for (let i = 0; i < RUNS; i++) {
      const b = await measure('node', [DSL, 'build', FIXTURE, '--out', out], env)
      checkDsl(b, 'dsl build')
      build.push(b)
    }
    const t0 = performance.now()
    fleet = await startFleet({ dir, masterD: join(out, 'master.d') })
    const f = fleet
    for (const id of ids) f.startMinion(id)
    const keys = () => f.salt('salt-key', ['--list=all']).data as { minions_pre?: string[] }
    if (!(await until(() => (keys().minions_pre ?? []).length === n, 1200)))
      throw new Error(`only ${keys().minions_pre?.length ?? 0} of ${n} minions asked for a key`)
    f.salt('salt-key', ['-A', '-y'])
    const answered = await until(() => {
      const ping = f.salt('salt', ['*', 'test.ping', '--static', '--timeout=10'])
      return Object.keys((ping.data ?? {}) as object).length === n
    }, 600)
    if (!answered) throw new Error('not every minion answered test.ping')
    const startMs = performance.now() - t0
    console.error(`${n} minion(s) up and accepted in ${s(startMs)}`)

    const apply = () => measure('node', [DSL, 'apply', FIXTURE, '--out', out, '--all', '--yes'], env)
    const salt = (test: boolean) =>
      measure(
        SALT,
        [
          '-c',
          env.DSL_SALT_CONFIG,
          '--out=json',
          '--out-indent=-1',
          '*',
          'state.apply',
          ...(test ? ['test=True'] : []),
        ],
        env,
      )
    // the first apply publishes the tree; every later run (ours and Salt's) reads that same generation
    checkDsl(await apply(), 'the first dsl apply --all')
    const dslFresh: Measured[] = []
    const dslConverged: Measured[] = []
    const saltFresh: Measured[] = []
    const saltConverged: Measured[] = []
    const planAll: Measured[] = []
    const saltTest: Measured[] = []
    for (let i = 0; i < RUNS; i++) {
      // alternate ours and Salt's, so that the host's other load weighs on both alike
      rmSync(root, { recursive: true, force: true })
      dslFresh.push(await apply())
      checkDsl(dslFresh.at(-1)!, 'dsl apply --all (fresh)')
      dslConverged.push(await apply())
      checkDsl(dslConverged.at(-1)!, 'dsl apply --all (converged)')
      rmSync(root, { recursive: true, force: true })
      saltFresh.push(await salt(false))
      checkSalt(saltFresh.at(-1)!, n, false)
      saltConverged.push(await salt(false))
      checkSalt(saltConverged.at(-1)!, n, false)
      planAll.push(await measure('node', [DSL, 'plan', FIXTURE, '--out', out, '--all'], env))
      checkDsl(planAll.at(-1)!, 'dsl plan --all')
      saltTest.push(await salt(true))
      checkSalt(saltTest.at(-1)!, n, true)
    }
    // the slowest single minion's plan: every minion up to 5, else the first, middle and last
    const sampled = n <= 5 ? ids : [ids[0]!, ids[Math.floor(n / 2)]!, ids[n - 1]!]
    const planOne: { id: string; ms: number }[] = []
    const saltOne: { id: string; ms: number }[] = []
    for (const id of sampled) {
      const [ours, theirs]: number[][] = [[], []]
      for (let i = 0; i < RUNS; i++) {
        const p = await measure('node', [DSL, 'plan', FIXTURE, '--out', out, '--machine', id], env)
        checkDsl(p, `dsl plan --machine ${id}`)
        ours!.push(p.ms)
        const q = await measure(
          SALT,
          ['-c', env.DSL_SALT_CONFIG, '--out=json', '--out-indent=-1', id, 'state.apply', 'test=True'],
          env,
        )
        checkSalt(q, 1, true)
        theirs!.push(q.ms)
      }
      planOne.push({ id, ms: median(ours!) })
      saltOne.push({ id, ms: median(theirs!) })
    }
    const daemons = rss(
      readdirSync('/proc')
        .filter((p) => {
          if (!/^\d+$/.test(p)) return false
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir)
          } catch {
            return false
          }
        })
        .map(Number),
    )
    return {
      minions: n,
      states: n * (FILES + 1),
      startMs,
      build,
      dslFresh,
      dslConverged,
      saltFresh,
      saltConverged,
      planAll,
      saltTest,
      planOne,
      saltOne,
      daemons,
    }
  } finally {
    fleet?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

function report(results: readonly SizeResult[]): string {
  const t = (xs: readonly Measured[]) => median(xs.map((x) => x.ms))
  const all = (xs: readonly Measured[]) => xs.map((x) => (x.ms / 1000).toFixed(2)).join(' ')
  const peak = (xs: readonly Measured[]) => Math.max(...xs.map((x) => x.peak))
  const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${Math.round(((a - b) / b) * 100)}%`
  const lines = [
    `| minions (states) | run | dsl apply --all --yes | salt '*' state.apply | overhead | overhead less the build | peak memory: dsl / salt |`,
    '|---|---|---:|---:|---:|---:|---:|',
  ]
  for (const r of results)
    for (const [name, ours, theirs] of [
      ['fresh', r.dslFresh, r.saltFresh],
      ['converged', r.dslConverged, r.saltConverged],
    ] as const)
      lines.push(
        `| ${r.minions} (${r.states}) | ${name} | ${s(t(ours))} (${all(ours)}) | ${s(t(theirs))} (${all(theirs)}) | ` +
          `${pct(t(ours), t(theirs))} | ${pct(t(ours) - t(r.build), t(theirs))} | ${mb(peak(ours))} / ${mb(peak(theirs))} |`,
      )
  lines.push(
    '',
    `| minions | dsl build | dsl plan --all | salt '*' state.apply test=True | slowest single dsl plan --machine | plan --all / slowest single | Salt's own: all / slowest single | master + minions resident | minions up and accepted |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  )
  for (const r of results) {
    const slowest = Math.max(...r.planOne.map((p) => p.ms))
    const saltSlowest = Math.max(...r.saltOne.map((p) => p.ms))
    lines.push(
      `| ${r.minions} | ${s(t(r.build))} | ${s(t(r.planAll))} (${all(r.planAll)}) | ${s(t(r.saltTest))} | ` +
        `${s(slowest)} (of ${r.planOne.length} sampled) | ${(t(r.planAll) / slowest).toFixed(2)}× | ` +
        `${(t(r.saltTest) / saltSlowest).toFixed(2)}× (${s(saltSlowest)}) | ${mb(r.daemons)} | ${s(r.startMs)} |`,
    )
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('bench:fleet runs a salt-master and minions as root: run it as root')
  // an interrupted run still stops its daemons: their 'exit' handlers kill each process group
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
  // the master's sudo_acl would hold a sudo'ed caller to an operator's ACL: this run is plain root
  delete process.env.SUDO_USER
  const results: SizeResult[] = []
  for (const n of SIZES) {
    console.error(`--- ${n} minion(s)`)
    results.push(await benchSize(n))
    console.error(report(results))
  }
  const text = report(results)
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
  const strip = (xs: readonly Measured[]) => xs.map((x) => ({ ms: Math.round(x.ms), peak: x.peak }))
  writeFileSync(
    join(ROOT, 'bench', 'results', 'fleet.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        files: FILES,
        runs: RUNS,
        results: results.map((r) => ({
          ...r,
          build: strip(r.build),
          dslFresh: strip(r.dslFresh),
          dslConverged: strip(r.dslConverged),
          saltFresh: strip(r.saltFresh),
          saltConverged: strip(r.saltConverged),
          planAll: strip(r.planAll),
          saltTest: strip(r.saltTest),
        })),
      },
      null,
      2,
    )}\n`,
  )
  process.stdout.write(`${text}\n`)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
