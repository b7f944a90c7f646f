import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeMinionConfig } from '../../compiler/salt/minion-config.ts'
import { saltCallPath } from './salt.ts'

/** What `state.sls <sls> test=True` returned: its error strings, or null when the states ran. */
export interface SlsVerdict {
  readonly sls: string
  readonly errors: readonly string[] | null
  /** How many states ran (in test mode). */
  readonly states: number
  /** Per state ID, per requisite type, the IDs of the states Salt's ordering graph bound it to. */
  readonly deps: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>
  readonly ms: number
}

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'salt-sls-verdicts.py')

/**
 * Runs every SLS of `fileRoot` named in `names` the way `state.sls NAME test=True` does, in one Python
 * process with one HighState (see salt-sls-verdicts.py): a few ms a name instead of salt-call's start-up.
 */
export async function slsVerdicts(fileRoot: string, names: readonly string[]): Promise<SlsVerdict[]> {
  const python = join(dirname(saltCallPath()), 'python3') // throws "Salt is not installed" without it
  const dir = mkdtempSync(join(tmpdir(), 'salt-verdicts-'))
  try {
    const conf = join(dir, 'conf')
    writeMinionConfig(conf, {
      id: 'verdicts',
      fileRoot,
      pillarRoot: join(dir, 'pillar'),
      root: join(dir, 'root'),
    })
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(python, [SCRIPT, conf], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, TMPDIR: dir },
      })
      const out: Buffer[] = []
      let err = ''
      child.stdout.on('data', (b: Buffer) => out.push(b))
      child.stderr.on('data', (b: Buffer) => {
        err = (err + b.toString('utf8')).slice(-8000)
      })
      child.on('error', reject)
      child.on('close', (code) =>
        code === 0
          ? resolve(Buffer.concat(out).toString('utf8'))
          : reject(new Error(`salt-sls-verdicts exited ${code}:\n${err}`)),
      )
      child.stdin.end(`${names.join('\n')}\n`)
    })
    const verdicts = stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as SlsVerdict)
    if (verdicts.length !== names.length)
      throw new Error(`salt-sls-verdicts answered ${verdicts.length} of ${names.length} names`)
    return verdicts
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
