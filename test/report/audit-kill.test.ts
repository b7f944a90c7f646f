// The audit log under concurrent writers killed with SIGKILL at random points: every line a writer
// acknowledged (exit 0) is there once, no line is torn, and the hash chain verifies.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'

const WRITERS = 3
const NOTES = 12

/** One `dsl audit note TEXT`, killed after `killAfter` ms when given; resolves with its exit status. */
function note(text: string, env: Record<string, string>, killAfter?: number): Promise<number | 'killed'> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/dsl.js'), 'audit', 'note', text], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: 'ignore',
    })
    const timer = killAfter === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfter)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      done(signal === 'SIGKILL' ? 'killed' : (code ?? -1))
    })
  })
}

describe('audit log: concurrent writers killed with kill -9', () => {
  it('keeps every acknowledged line, whole, in one verified chain', async () => {
    const env = { DSL_STATE_DIR: join(tempDir('salt-dsl-audit-'), 'state') }
    // how long one note takes here: kills land from its start to just past its end (where it writes)
    const t0 = performance.now()
    expect(await note('first', env)).toBe(0)
    const span = performance.now() - t0
    const acked = ['first']
    const tried: string[] = ['first']
    let killed = 0
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; i < NOTES; i++) {
          const text = `w${w}-${i}`
          tried.push(text)
          const kill = i % 3 === 2 ? undefined : span * (0.3 + Math.random() * 0.9)
          const status = await note(text, env, kill)
          if (status === 0) acked.push(text)
          else if (status === 'killed') killed++
          else throw new Error(`${text}: exit ${status}`)
        }
      }),
    )
    // some were killed, some got through (else the test proves nothing)
    expect(killed).toBeGreaterThan(0)
    expect(acked.length).toBeGreaterThan(WRITERS * 4)

    const shown = dsl(['audit', '--format', 'json'], env)
    const log = JSON.parse(shown.stdout) as { entries: { note: string }[]; problems: unknown[] }
    expect(log.problems).toEqual([])
    expect(shown.status).toBe(0)
    const notes = log.entries.map((e) => e.note)
    for (const a of acked) expect(notes.filter((n) => n === a)).toEqual([a])
    // a killed writer's line is there whole or not at all, and only once
    expect(new Set(notes).size).toBe(notes.length)
    for (const n of notes) expect(tried).toContain(n)
    const text = readFileSync(join(env.DSL_STATE_DIR, 'audit.log'), 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    // a later writer still appends after all that
    expect(await note('after', env)).toBe(0)
    expect(dsl(['audit'], env).stdout).toMatch(/line\(s\); the hash chain verifies/)
  })
})
