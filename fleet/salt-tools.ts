import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { runProcess } from '../compiler/run-process.ts'

/** The master side of a Salt install: its tools (beside `python`) and the master's config dir. */
export interface MasterTools {
  readonly python: string
  /** Holds `master` (and `master.d/`): `/etc/salt` on a master host. */
  readonly configDir: string
}

/** `salt`, `salt-key`, `salt-run`, `salt-ssh` of the install `python` belongs to. */
export function saltTool(python: string, name: string): string {
  const bin = join(dirname(python), name)
  return existsSync(bin) ? bin : name
}

export interface ToolRun {
  readonly code: number
  readonly data: unknown
  readonly stdout: string
  readonly stderr: string
}

/** Runs a master tool with `-c configDir --out=json`; `data` is its parsed JSON (undefined if none). */
export async function runMasterTool(t: MasterTools, tool: string, args: readonly string[]): Promise<ToolRun> {
  const run = await runProcess(saltTool(t.python, tool), ['-c', t.configDir, '--out=json', ...args])
  let data: unknown
  try {
    data = JSON.parse(run.stdout)
  } catch {
    data = undefined
  }
  return { code: run.code, data, stdout: run.stdout, stderr: run.stderr }
}

/**
 * Runs a master tool whose stdout is one JSON document per line as answers arrive (`salt --out=json
 * --out-indent=-1` prints each minion's return when it comes); calls `onLine` with each line.
 */
export function streamMasterTool(
  t: MasterTools,
  tool: string,
  args: readonly string[],
  onLine: (line: string) => void,
): Promise<{ code: number; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(saltTool(t.python, tool), ['-c', t.configDir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const decoder = new StringDecoder('utf8')
    let pending = ''
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + decoder.write(chunk)).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) onLine(line)
    })
    child.stderr.on('data', (d: Buffer) => err.push(d))
    child.on('error', fail)
    child.on('close', (code) => {
      if (pending !== '') onLine(pending)
      done({ code: code ?? 1, stderr: Buffer.concat(err).toString('utf8') })
    })
  })
}
