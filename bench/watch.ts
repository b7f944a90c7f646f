// The watch-mode rebuild: time from writing one config file to the emitted tree holding the change.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { editing } from './edit.ts'
import { type Stats, stats } from './measure.ts'

export interface WatchCase {
  readonly cli: string
  readonly cwd: string
  readonly entry: string
  readonly outDir: string
  readonly touch: { readonly file: string; readonly from: string; readonly to: string }
  readonly touched: { readonly path: string; readonly contains: string }
}

export interface WatchStats extends Stats {
  /** What the rebuild itself reported (`rebuilt in N ms`), median. */
  readonly reportedMedianMs: number
}

const REBUILT = /rebuilt in (\d+) ms/g
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/**
 * Starts `dsl build --watch`, waits for the first build, then edits one file back and forth: each edit is
 * timed from just before the write until the tree on disk holds the new text (the rebuild has written
 * it and said so). Peak RSS is the watch process's high-water mark, read from /proc before it stops.
 */
export async function measureWatch(c: WatchCase, runs: number, warmup = 2): Promise<WatchStats> {
  const editor = editing(c.touch)
  const child = spawn(process.execPath, [c.cli, 'build', c.entry, '--out', c.outDir, '--watch'], {
    cwd: c.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const reported: number[] = []
  let wake: (() => void) | undefined
  child.stdout.on('data', (d) => {
    stdout += d
    for (const m of String(d).matchAll(REBUILT)) reported.push(Number(m[1]))
    wake?.()
  })
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const exited = new Promise<void>((done) => child.on('close', () => done()))
  const rebuilds = (n: number, timeoutMs: number) =>
    new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`watch: no rebuild within ${timeoutMs} ms\n${stdout}\n${stderr}`)),
        timeoutMs,
      )
      const test = () => {
        if (reported.length >= n) {
          clearTimeout(timer)
          wake = undefined
          done()
        }
      }
      wake = test
      test()
    })
  const target = join(c.outDir, c.touched.path)
  const samples: { ms: number; rssMb: number }[] = []
  const own: number[] = []
  let peakKb = 0
  try {
    await rebuilds(1, 600_000)
    for (let i = 0; i < warmup + runs; i++) {
      await sleep(150)
      const before = reported.length
      const started = performance.now()
      const forward = editor.edit()
      await rebuilds(before + 1, 120_000)
      const ms = performance.now() - started
      const text = readFileSync(target, 'utf8')
      if (text.includes(c.touched.contains) !== forward) throw new Error(`watch: ${target} was not updated`)
      peakKb = Math.max(peakKb, hwmKb(child.pid))
      if (i >= warmup) {
        samples.push({ ms, rssMb: 0 })
        own.push(reported.at(-1) ?? 0)
      }
    }
  } finally {
    editor.restore()
    child.kill('SIGINT')
    await exited
  }
  const s = stats(samples)
  own.sort((a, b) => a - b)
  return {
    ...s,
    medianRssMb: peakKb / 1024,
    maxRssMb: peakKb / 1024,
    reportedMedianMs: own[Math.floor(own.length / 2)] ?? 0,
  }
}

function hwmKb(pid: number | undefined): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}
