// Operating a machine: what a converged apply of the bundled config's debian-ci costs, state by state.
// Run as root (it applies for real into a throw-away user): `npm run bench:operate`.
// Measured the way test/config/apply.test.ts applies it: the real salt-call --local on a built tree, with the
// pillar overrides the test uses (a local package source, reports in a temp dir). Then plan and apply end
// to end through the CLI (operate-cli.ts).

import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { masterlessMinionConfig } from '../compiler/salt/minion-config.ts'
import { operateCli } from './operate-cli.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const ROOT = resolve(process.env.DSL_ROOT ?? '.') // run from the repository
const SALT_CALL = join(ROOT, '.venv', 'bin', 'salt-call')
const STAMPS = ['/var/cache/salt-dsl/package-db.stamp', '/var/cache/salt-dsl/package-source.stamp']

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function saltCall(conf: string, args: string[]): Promise<{ ms: number; out: string; code: number }> {
  const t0 = performance.now()
  return new Promise((done, fail) => {
    const child = spawn(SALT_CALL, ['--local', '-c', conf, '--out=json', '--out-indent=-1', ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const out: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.on('error', fail)
    child.on('close', (code) =>
      done({ ms: performance.now() - t0, out: Buffer.concat(out).toString('utf8'), code: code ?? -1 }),
    )
  })
}

type Run = { __id__: string; duration?: number; changes?: object; result?: boolean | null }
const states = (out: string): Run[] => Object.values((JSON.parse(out).local ?? {}) as Record<string, Run>)

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:operate applies for real: run it as root')
  const tmp = mkdtempSync(join(tmpdir(), 'bench-operate-'))
  const user = `dsl${Math.random().toString(16).slice(2, 8)}`
  const stampsBefore = STAMPS.map(existsSync)
  const server = createServer((_q, r) => r.end('ok'))
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', user])
  try {
    const out = join(tmp, 'out')
    execFileSync(
      'node',
      [join(ROOT, 'bin', 'dsl.js'), 'build', join(ROOT, 'config'), '--out', out, '--quiet'],
      {
        env: { ...process.env, DSL_TEST_USER: user },
        stdio: 'inherit',
      },
    )
    const conf = join(tmp, 'conf')
    mkdirSync(conf)
    const minion = masterlessMinionConfig({
      id: 'debian-ci',
      fileRoot: join(out, 'salt'),
      pillarRoot: join(out, 'pillar'),
      root: join(tmp, 'root'),
    })
    writeFileSync(join(conf, 'minion'), JSON.stringify(minion))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const pillar = JSON.stringify({
      ops: {
        preflight: { package_source_url: url, network_timeout_s: 5 },
        reports: { dir: join(tmp, 'reports') },
      },
    })
    const apply = (extra: string[] = []) => saltCall(conf, ['state.apply', `pillar=${pillar}`, ...extra])

    const startup = [] as number[]
    for (let i = 0; i < RUNS; i++) startup.push((await saltCall(conf, ['test.true'])).ms)
    // converge first: the first apply installs and writes
    for (let i = 0; i < 2; i++) {
      const r = await apply()
      if (r.code !== 0) console.error(`converging apply ${i + 1} exited ${r.code}: ${r.out.slice(0, 600)}`)
    }
    const walls: number[] = []
    const per = new Map<string, number[]>()
    let changedIds: string[] = []
    let count = 0
    for (let i = 0; i < RUNS; i++) {
      const r = await apply()
      walls.push(r.ms)
      const runs = states(r.out)
      count = runs.length
      changedIds = runs.filter((s) => s.changes && Object.keys(s.changes).length > 0).map((s) => s.__id__)
      for (const s of runs) per.set(s.__id__, [...(per.get(s.__id__) ?? []), s.duration ?? 0])
    }
    const plan = [] as number[]
    for (let i = 0; i < RUNS; i++) plan.push((await apply(['test=True'])).ms)
    const fmt = (xs: number[]) =>
      `${(median(xs) / 1000).toFixed(2)} s  (${xs.map((x) => (x / 1000).toFixed(2)).join(' ')})`
    const sum = [...per.values()].reduce((a, xs) => a + median(xs), 0)
    console.log(`debian-ci, converged, ${count} states, ${RUNS} runs each, median (all runs)`)
    console.log(`  salt-call start-up (test.true)   ${fmt(startup)}`)
    console.log(`  state.apply, converged           ${fmt(walls)}`)
    console.log(`  state.apply test=True            ${fmt(plan)}`)
    console.log(`  sum of state durations           ${(sum / 1000).toFixed(2)} s`)
    console.log(
      `  changed in the last run          ${changedIds.length === 0 ? 'nothing' : changedIds.join(', ')}`,
    )
    console.log('  slowest states (median ms):')
    const slow = [...per.entries()].map(([id, xs]) => [id, median(xs)] as const).sort((a, b) => b[1] - a[1])
    for (const [id, ms] of slow.slice(0, 8)) console.log(`    ${ms.toFixed(0).padStart(6)}  ${id}`)
  } finally {
    server.close()
    try {
      execFileSync('userdel', ['--remove', user], { stdio: 'ignore' })
    } catch {
      // userdel complains of a missing mail spool: the user is gone all the same
    }
    STAMPS.forEach((s, i) => {
      if (!stampsBefore[i]) rmSync(s, { force: true })
    })
    rmSync(tmp, { recursive: true, force: true })
  }
}

await main()
operateCli(ROOT, RUNS)
