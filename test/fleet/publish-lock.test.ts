// dsl publish takes the publish root's lock: publishers at once each get a generation of their own, and a
// publisher killed (SIGKILL) at any point leaves only complete generations, `current` on one of them, and
// no lock that stops the next publish. No daemons: the publish root is a directory like the master's.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, readTree, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/fleet/publish-fixture'

interface Done {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** `dsl publish` of the fixture with its own mark and out dir, to the shared publish root `root`. */
function publish(dir: string, root: string, mark: string): { child: ChildProcess; done: Promise<Done> } {
  const child = spawn(
    process.execPath,
    [
      join(REPO, 'bin/dsl.js'),
      'publish',
      FIXTURE,
      '--out',
      join(dir, `out-${mark}`),
      '--to',
      root,
      '--no-typecheck',
    ],
    // no master config: nothing to refresh
    { cwd: REPO, env: { ...process.env, PUBLISH_MARK: mark, DSL_SALT_CONFIG: join(dir, 'no-master') } },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => {
    stdout += c
  })
  child.stderr.on('data', (c) => {
    stderr += c
  })
  const done = new Promise<Done>((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })),
  )
  return { child, done }
}

/** The mark a published generation was built with (its marker state's contents). */
const markOf = (generation: string) =>
  /contents: \|\n\s+([\w-]+)/.exec(readFileSync(join(generation, 'salt', 'marker.sls'), 'utf8'))?.[1]

/** The files of a generation of this fixture (every tree of it has the same ones). */
const filesOf = (generation: string) => [...readTree(generation).keys()].sort()

const numbered = (root: string) =>
  existsSync(join(root, 'generations'))
    ? readdirSync(join(root, 'generations'))
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
        .sort((a, b) => a - b)
    : []

describe('dsl publish on one publish root at once, or killed', () => {
  it('publishers at once each publish a complete generation of their own; current serves a complete one', async () => {
    const dir = tempDir()
    const root = join(dir, 'root')
    // GIVEN the file list of a complete published tree of the fixture
    const first = dsl(['publish', FIXTURE, '--out', join(dir, 'out-first'), '--to', root, '--no-typecheck'], {
      PUBLISH_MARK: 'first',
      DSL_SALT_CONFIG: join(dir, 'no-master'),
    })
    expect(first.status, first.stderr).toBe(0)
    const complete = filesOf(join(root, 'generations', '1'))
    expect(complete.length).toBeGreaterThan(100)

    // WHEN six publishers of six different trees run at once
    const marks = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']
    const runs = await Promise.all(marks.map((m) => publish(dir, root, m).done))

    // THEN each succeeded and says a generation of its own, that holds its tree, complete
    const said = runs.map((r, i) => {
      expect(r.status, `${marks[i]}: ${r.stdout}${r.stderr}`).toBe(0)
      const n = Number(/published generation (\d+)/.exec(r.stdout)?.[1])
      expect(Number.isInteger(n), r.stdout).toBe(true)
      return n
    })
    expect(new Set(said).size).toBe(marks.length)
    expect([...said].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7])
    for (const [i, n] of said.entries()) {
      const g = join(root, 'generations', String(n))
      expect(markOf(g)).toBe(marks[i])
      expect(filesOf(g)).toEqual(complete)
    }
    expect(numbered(root)).toEqual([1, 2, 3, 4, 5, 6, 7])
    // AND current serves the last one switched to, complete; nothing half-done is left beside them
    expect(readlinkSync(join(root, 'current'))).toBe('generations/7')
    expect(readdirSync(join(root, 'generations')).filter((n) => n.startsWith('.'))).toEqual([])
    expect(readdirSync(root).sort()).toEqual(['current', 'generations'])
  }, 120_000)

  it('a publisher killed at random points leaves no partial generation served, and the next publish succeeds', async () => {
    const dir = tempDir()
    const root = join(dir, 'root')
    const first = dsl(['publish', FIXTURE, '--out', join(dir, 'out-first'), '--to', root, '--no-typecheck'], {
      PUBLISH_MARK: 'first',
      DSL_SALT_CONFIG: join(dir, 'no-master'),
    })
    expect(first.status, first.stderr).toBe(0)
    const complete = filesOf(join(root, 'generations', '1'))
    // how long a whole publish takes here: the span the random kills fall in
    const started = Date.now()
    const timed = await publish(dir, root, 'timed').done
    expect(timed.status, timed.stderr).toBe(0)
    const span = Date.now() - started
    const generations = join(root, 'generations')
    // the moments a kill is aimed at: any time, once the copy has begun, once the lock is taken
    const aims: ((pid: number) => boolean)[] = [
      () => true,
      (pid) => existsSync(join(generations, `.staging-${pid}`)),
      () => existsSync(join(root, 'publish.lock')),
    ]
    let killedMidway = 0
    let leftLock = 0
    let leftStaging = 0
    for (let trial = 0; trial < 12; trial++) {
      // WHEN a publisher is killed with SIGKILL at a random point
      const run = publish(dir, root, `k${trial}`)
      const aim = aims[trial % aims.length]!
      const delay = trial % aims.length === 0 ? Math.random() * span : Math.random() * 3
      let closed = false
      void run.done.then(() => {
        closed = true
      })
      // the condition is polled at once and again on each turn of the event loop, until the child ends
      while (!closed && !aim(run.child.pid!)) await new Promise((r) => setImmediate(r))
      if (!closed) {
        await new Promise((r) => setTimeout(r, delay))
        if (!closed && run.child.kill('SIGKILL')) killedMidway++
      }
      await run.done
      // what the killed one left for the next: its lock (a dead holder's), a half copy
      if (existsSync(join(root, 'publish.lock'))) leftLock++
      if (readdirSync(generations).some((x) => x.startsWith('.staging-'))) leftStaging++

      // THEN every numbered generation is complete and current points at one of them
      for (const n of numbered(root))
        expect(filesOf(join(generations, String(n))), `generation ${n}`).toEqual(complete)
      const current = readlinkSync(join(root, 'current'))
      expect(current).toMatch(/^generations\/\d+$/)
      expect(numbered(root)).toContain(Number(current.split('/')[1]))

      // AND the next publish succeeds, is served, and clears what the killed one left
      const next = await publish(dir, root, `n${trial}`).done
      expect(next.status, next.stdout + next.stderr).toBe(0)
      const n = Number(/published generation (\d+)/.exec(next.stdout)?.[1])
      expect(readlinkSync(join(root, 'current'))).toBe(`generations/${n}`)
      expect(markOf(join(generations, String(n)))).toBe(`n${trial}`)
      expect(filesOf(join(generations, String(n)))).toEqual(complete)
      expect(readdirSync(generations).filter((x) => x.startsWith('.'))).toEqual([])
      expect(readdirSync(root).sort()).toEqual(['current', 'generations'])
    }
    // most kills fell while the publisher ran (a kill aimed at the lock finds none on a fast machine's end)
    expect(killedMidway).toBeGreaterThanOrEqual(6)
    // and some held the lock, or were copying, when killed: the next publish took over and cleared it
    console.log(
      `publish-lock: ${killedMidway} killed while running, ${leftLock} holding the lock, ${leftStaging} mid-copy`,
    )
    expect(leftLock).toBeGreaterThanOrEqual(1)
    expect(leftStaging).toBeGreaterThanOrEqual(1)
  }, 300_000)
})
