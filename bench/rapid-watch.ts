// Watch mode's memory under a burst of saves: one config file saved every `everyMs` for `seconds`, as an
// editor with auto-save or a formatter on save does, then left alone so the idle check (a full build in a
// worker thread) runs. Peak RSS is the watch process's high-water mark, read from /proc.
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { WatchCase } from './watch.ts'

export interface RapidWatchStats {
  readonly edits: number
  /** Rebuilds the watch reported during the burst and after it (it coalesces saves that come mid-rebuild). */
  readonly rebuilds: number
  /** Peak RSS of the first build (it type-checks, in a child whose memory is not counted here). */
  readonly firstBuildPeakMb: number
  /** Peak RSS while the saves came (the high-water mark is reset after the first build where Linux allows it). */
  readonly burstPeakMb: number
  /** Peak RSS of the whole run: first build, burst and the idle check after it. */
  readonly peakMb: number
  /** RSS once the config had sat still long enough for the idle check to be done. */
  readonly settledMb: number
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/**
 * Starts `dsl build --watch`, waits for its first build, saves `c.touch.file` every `everyMs` for
 * `seconds` (each save a new text, as typing gives: the number in `c.touch.from` counts up), then saves
 * `c.touch.to` and checks that the tree gets it, then waits `settleMs` (by default
 * a second plus twice the first build, which type-checked: room for the idle check's full build).
 */
export async function measureRapidWatch(
  c: WatchCase,
  { seconds = 30, everyMs = 50, settleMs = undefined as number | undefined } = {},
): Promise<RapidWatchStats> {
  const original = readFileSync(c.touch.file, 'utf8')
  if (!original.includes(c.touch.from) || !/\d+/.test(c.touch.from))
    throw new Error(`${c.touch.file} does not contain '${c.touch.from}' (with a number in it)`)
  const save = (text: string) => writeFileSync(c.touch.file, original.replace(c.touch.from, text))
  const child = spawn(process.execPath, [c.cli, 'build', c.entry, '--out', c.outDir, '--watch'], {
    cwd: c.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let rebuilds = 0
  child.stdout.on('data', (d) => {
    stdout += d
    rebuilds += String(d).match(/rebuilt in \d+ ms/g)?.length ?? 0
  })
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const exited = new Promise<void>((done) => child.on('close', () => done()))
  const until = async (ready: () => boolean, timeoutMs: number, what: string) => {
    const deadline = performance.now() + timeoutMs
    while (!ready()) {
      if (performance.now() > deadline || child.exitCode !== null)
        throw new Error(
          `watch: ${what} within ${timeoutMs} ms\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`,
        )
      await sleep(20)
    }
  }
  const target = join(c.outDir, c.touched.path)
  let edits = 0
  const spawned = performance.now()
  try {
    await until(() => rebuilds >= 1, 600_000, 'no first build')
    const firstBuildMs = performance.now() - spawned
    const firstBuildPeakMb = memory(child.pid).hwmKb / 1024
    const reset = resetPeak(child.pid)
    let sampledKb = 0
    const started = performance.now()
    while (performance.now() - started < seconds * 1000) {
      save(c.touch.from.replace(/\d+/, String(100_000 + edits)))
      edits++
      sampledKb = Math.max(sampledKb, memory(child.pid).rssKb)
      await sleep(everyMs)
    }
    // a last save, which must reach the tree (the watch may still be rebuilding an earlier one)
    save(c.touch.to)
    await until(
      () => {
        try {
          return readFileSync(target, 'utf8').includes(c.touched.contains)
        } catch {
          return false
        }
      },
      120_000,
      'the tree did not get the last save',
    )
    const burstPeakKb = reset ? memory(child.pid).hwmKb : Math.max(sampledKb, memory(child.pid).hwmKb)
    await sleep(settleMs ?? 1000 + 2 * firstBuildMs)
    const end = memory(child.pid)
    return {
      edits: edits + 1, // the burst and the last save
      rebuilds: rebuilds - 1,
      firstBuildPeakMb,
      burstPeakMb: Math.max(burstPeakKb, sampledKb) / 1024,
      peakMb: Math.max(firstBuildPeakMb * 1024, burstPeakKb, sampledKb, end.hwmKb) / 1024,
      settledMb: end.rssKb / 1024,
    }
  } finally {
    writeFileSync(c.touch.file, original)
    child.kill('SIGINT')
    await exited
  }
}

function memory(pid: number | undefined): { rssKb: number; hwmKb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') }
  } catch {
    return { rssKb: 0, hwmKb: 0 }
  }
}

/** Resets the process's high-water mark to its current RSS (Linux: `5` into clear_refs); false if it cannot. */
function resetPeak(pid: number | undefined): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}
