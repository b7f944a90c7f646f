// The audit log under concurrent writers killed with SIGKILL at random points: every line a writer
// acknowledged (exit 0) is there once, no line is torn, and the hash chain verifies.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'

// rounds of writers started at once: their appends meet in time, which the lock must order
const WRITERS = 8
const ROUNDS = 5

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
    // each writer holds the lock 150 ms between reading the chain's end and appending: kills land there
    const env = { DSL_STATE_DIR: join(tempDir('salt-dsl-audit-'), 'state'), DSL_AUDIT_HOLD_MS: '150' }
    // how long one note takes here: kills land from its start to just past its end (where it writes)
    const t0 = performance.now()
    expect(await note('first', env)).toBe(0)
    const span = performance.now() - t0
    const acked = ['first']
    const tried: string[] = ['first']
    let killed = 0
    for (let round = 0; round < ROUNDS; round++)
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          const text = `r${round}-w${w}`
          tried.push(text)
          const kill = w % 3 === 2 ? undefined : span * (0.3 + Math.random() * 0.9)
          const status = await note(text, env, kill)
          if (status === 0) acked.push(text)
          else if (status === 'killed') killed++
          else throw new Error(`${text}: exit ${status}`)
        }),
      )
    console.log(`audit kill: ${tried.length} writers, ${killed} killed, ${acked.length} acknowledged`)
    // some were killed, some got through (else the test proves nothing)
    expect(killed).toBeGreaterThan(0)
    expect(acked.length).toBeGreaterThan(ROUNDS * 2)

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
