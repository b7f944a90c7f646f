// Measuring child processes: wall time and peak RSS, median and spread over several runs.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** One run of a command. */
export interface Sample {
  readonly ms: number
  /** Peak resident set of the largest process of the run (the command or one of its children), in MB. */
  readonly rssMb: number
}

/** Several runs of one command, after a warm-up. */
export interface Stats {
  readonly runs: number
  readonly medianMs: number
  readonly minMs: number
  readonly maxMs: number
  readonly medianRssMb: number
  readonly maxRssMb: number
}

export interface Command {
  readonly argv: readonly string[]
  readonly cwd?: string
  readonly env?: Readonly<Record<string, string>>
  /** Runs before each measured run (not timed), e.g. removing an output dir. */
  readonly before?: () => void
  /** Checks a finished run; a thrown error fails the benchmark. */
  readonly check?: (result: { code: number; stdout: string; stderr: string }) => void
}

const GNU_TIME = '/usr/bin/time'

/**
 * Runs `command` once: wall time from spawn to exit; peak RSS from GNU time's `%M` (the largest of the
 * process and its waited-for children), or from polling `/proc/<pid>/status` when GNU time is missing.
 */
export async function sample(command: Command): Promise<Sample> {
  command.before?.()
  const useTime = existsSync(GNU_TIME)
  const report = join(tmpdir(), `salt-dsl-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const argv = useTime ? [GNU_TIME, '-f', '%M', '-o', report, ...command.argv] : [...command.argv]
  const started = performance.now()
  const { code, stdout, stderr, polledKb } = await run(argv, command, !useTime)
  const ms = performance.now() - started
  let kb = polledKb
  if (useTime) {
    kb = Number(readFileSync(report, 'utf8').trim().split('\n').pop())
    rmSync(report, { force: true })
  }
  if (command.check) command.check({ code, stdout, stderr })
  else if (code !== 0)
    throw new Error(`${command.argv.join(' ')} exited with ${code}\n${stderr.slice(-2000)}`)
  return { ms, rssMb: kb / 1024 }
}

function run(argv: readonly string[], command: Command, poll: boolean) {
  return new Promise<{ code: number; stdout: string; stderr: string; polledKb: number }>((done, fail) => {
    const [bin, ...args] = argv as [string, ...string[]]
    const child = spawn(bin, args, {
      cwd: command.cwd,
      env: { ...process.env, ...command.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let polledKb = 0
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const timer = poll
      ? setInterval(() => {
          polledKb = Math.max(polledKb, rssKb(child.pid))
        }, 20)
      : undefined
    child.on('error', fail)
    child.on('close', (code) => {
      clearInterval(timer)
      done({ code: code ?? 1, stdout, stderr, polledKb })
    })
  })
}

function rssKb(pid: number | undefined): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

export function stats(samples: readonly Sample[]): Stats {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b)
  const rss = samples.map((s) => s.rssMb).sort((a, b) => a - b)
  return {
    runs: samples.length,
    medianMs: median(ms),
    minMs: ms[0] ?? 0,
    maxMs: ms.at(-1) ?? 0,
    medianRssMb: median(rss),
    maxRssMb: rss.at(-1) ?? 0,
  }
}

export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Measures the commands of a pair (or more) interleaved — warm-up of each, then A B A B ... — so drift of
 * the machine during the run weighs on both sides of a ratio alike.
 */
export async function interleaved(commands: readonly Command[], runs: number, warmup = 1): Promise<Stats[]> {
  for (let i = 0; i < warmup; i++) for (const c of commands) await sample(c)
  const samples: Sample[][] = commands.map(() => [])
  for (let i = 0; i < runs; i++) for (const [k, c] of commands.entries()) samples[k]!.push(await sample(c))
  return samples.map(stats)
}
