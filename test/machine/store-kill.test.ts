// The generation store stays consistent when `dsl apply` is killed with SIGKILL at any point: the next
// apply converges and `dsl generations` lists only complete generations.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/machine/fixture'
const TRIALS = 20

/** Starts `dsl apply --yes` and kills it with SIGKILL after `ms` (if it is still running). */
function applyKilledAfter(ms: number, env: Record<string, string>, out: string): Promise<string> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin/dsl.js'), 'apply', FIXTURE, '--out', out, '--yes', '--no-typecheck'],
      {
        cwd: REPO,
        env: { ...process.env, ...env },
        stdio: 'ignore',
      },
    )
    const timer = setTimeout(() => child.kill('SIGKILL'), ms)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      done(signal ?? `exit ${code}`)
    })
  })
}

/** The numbered generations on disk, each checked complete: meta, result, and every file of its tree. */
function completeGenerations(store: string): number[] {
  const dir = join(store, 'generations')
  const numbers = readdirSync(dir)
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b)
  for (const n of numbers) {
    const g = join(dir, String(n))
    const meta = JSON.parse(readFileSync(join(g, 'meta.json'), 'utf8')) as { number: number }
    expect(meta.number).toBe(n)
    JSON.parse(readFileSync(join(g, 'result.json'), 'utf8'))
    const manifest = JSON.parse(readFileSync(join(g, 'tree', 'manifest.json'), 'utf8')) as {
      files: Record<string, string>
    }
    for (const [path, sha] of Object.entries(manifest.files)) {
      const bytes = readFileSync(join(g, 'tree', path))
      expect(createHash('sha256').update(bytes).digest('hex'), `generation ${n}: ${path}`).toBe(sha)
    }
  }
  return numbers
}

describe('the generation store under kill -9', () => {
  let user: ReturnType<typeof throwawayUser>
  beforeAll(() => {
    user = throwawayUser()
  })
  afterAll(() => user.remove())

  it(`${TRIALS} applies killed at random points, then one more apply converges`, async () => {
    const dir = tempDir('salt-dsl-kill-')
    const out = join(dir, 'out')
    const store = join(dir, 'state')
    const env = (variant: string) => ({
      MACHINE_USER: user.name,
      MACHINE_ROOT: join(dir, 'managed'),
      MACHINE_VARIANT: variant,
      DSL_STATE_DIR: store,
      DSL_KEEP_GENERATIONS: '4',
    })
    // GIVEN one complete apply, timed to place the kills
    const started = Date.now()
    expect(dsl(['apply', FIXTURE, '--out', out, '--yes', '--no-typecheck'], env('a')).status).toBe(0)
    const span = Date.now() - started
    // WHEN applies that each have work to do are killed at random points of that span
    const kills: string[] = []
    for (let i = 0; i < TRIALS; i++) {
      // half anywhere in the run, half near its end, where the generation is written
      const ms = Math.round(span * (i % 2 === 0 ? Math.random() * 1.1 : 0.8 + Math.random() * 0.25))
      kills.push(`${ms} ms: ${await applyKilledAfter(ms, env(i % 2 === 0 ? 'b' : 'a'), out)}`)
      // THEN after each, every numbered generation on disk is complete
      completeGenerations(store)
    }
    // AND the next apply converges: it applies, and a plan afterwards has nothing to change
    const last = dsl(['apply', FIXTURE, '--out', out, '--yes', '--no-typecheck'], env('b'))
    expect(last.status, `${kills.join('\n')}\n${last.stderr}`).toBe(0)
    const plan = dsl(['plan', FIXTURE, '--out', out, '--detailed-exitcode'], env('b'))
    expect(plan.status, plan.stdout + plan.stderr).toBe(0)
    expect(readFileSync(join(dir, 'managed', 'motd'), 'utf8')).toBe('managed by salt-dsl (b)\n')
    // AND `dsl generations` lists exactly the complete generations, at most --keep of them
    const listed = JSON.parse(dsl(['generations', '--format', 'json'], env('b')).stdout) as {
      generations: { number: number }[]
    }
    const onDisk = completeGenerations(store)
    expect(listed.generations.map((g) => g.number)).toEqual(onDisk)
    expect(onDisk.length).toBeLessThanOrEqual(4)
    // AND nothing of the interrupted runs is left: no staging, no run dirs, no object without a user
    expect(readdirSync(join(store, 'generations')).filter((n) => n.startsWith('.'))).toEqual([])
    expect(readdirSync(join(store, 'runs'))).toEqual([])
    for (const sub of readdirSync(join(store, 'objects')))
      for (const name of readdirSync(join(store, 'objects', sub)))
        expect(statSync(join(store, 'objects', sub, name)).nlink, name).toBeGreaterThan(1)
    expect(existsSync(join(store, 'lock'))).toBe(false)
  }, 240_000)
})
