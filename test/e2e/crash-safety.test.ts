// kill -9 at random points of `dsl build` and of `dsl build --watch`, and in the switch itself: out/ must
// always be a complete generation (every file of its manifest there with its hash, nothing else), the
// next build must leave nothing of the killed ones behind, and nothing outside out/ may change.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, readTree, tempDir } from '../support/cli.ts'

const TRIALS = 40

/** A small config (a few SLS, pillar, an asset) in two variants that differ in most files. */
function project() {
  const dir = tempDir('salt-dsl-crash-')
  const config = join(dir, 'config')
  mkdirSync(join(config, 'files'), { recursive: true })
  writeFileSync(join(config, 'files', 'motd'), 'hello\n')
  const sentinel = join(dir, 'sentinel')
  mkdirSync(sentinel)
  writeFileSync(join(sentinel, 'keep'), 'untouched\n')
  const variant = (v: number) => {
    const modules = Array.from(
      { length: 6 },
      (_, i) =>
        `export const s${i} = sls('m${i}', () => { file('/tmp/crash-${i}', { contents: 'v${v} ${i}\\n' }); pkg('tool-${i}-v${v}') })\n`,
    ).join('')
    const extra = v === 1 ? "export const s9 = sls('only.b', () => { pkg('b-only') })\n" : ''
    writeFileSync(
      join(config, 'index.ts'),
      `import { file, pkg, sls, top } from 'salt-dsl'\n${modules}${extra}export const f = sls('files', () => { file('/tmp/crash-motd', { source: 'files/motd' }) })\ntop('*', [s0, s1, s2, s3, s4, s5, f${v === 1 ? ', s9' : ''}])\n`,
    )
  }
  return { dir, config, sentinel, out: join(dir, 'out'), variant }
}

type Tree = Map<string, Buffer>

/**
 * out/ as a reader finds it: a complete tree by its own manifest (every listed file there with its
 * SHA-256, nothing unlisted but the manifest and the minion snippet), and one of the trees built.
 */
function expectComplete(out: string, known: readonly Tree[], when: string): void {
  const tree = readTree(out)
  const manifest = JSON.parse(tree.get('manifest.json')?.toString() ?? 'null') as {
    files: Record<string, string>
  } | null
  expect(manifest, `${when}: no manifest`).not.toBeNull()
  const listed = Object.keys(manifest!.files)
  for (const path of listed) {
    const data = tree.get(path)
    expect(data, `${when}: ${path} missing`).toBeDefined()
    expect(createHash('sha256').update(data!).digest('hex'), `${when}: ${path}`).toBe(manifest!.files[path])
  }
  const extra = [...tree.keys()].filter(
    (p) => !listed.includes(p) && p !== 'manifest.json' && p !== 'minion.d/salt-dsl.conf',
  )
  expect(extra, when).toEqual([])
  expect(
    known.some((k) => sameTree(k, tree)),
    `${when}: not a tree that was built`,
  ).toBe(true)
}

const sameTree = (a: Tree, b: Tree) =>
  a.size === b.size && [...a].every(([path, data]) => b.get(path)?.equals(data) === true)

/** Entries of `.out.d/` that are not generations: what killed builds left. */
const leftovers = (dir: string) =>
  readdirSync(join(dir, '.out.d')).filter((n) => !/^gen-\d+$|^\.gitignore$/.test(n))

/** Spawns the CLI; resolves when it has exited. */
function run(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(REPO, 'bin/dsl.js'), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
  })
  let output = ''
  child.stdout.on('data', (d) => {
    output += d
  })
  child.stderr.on('data', (d) => {
    output += d
  })
  const exited = new Promise<void>((done) => child.on('exit', () => done()))
  const saw = async (text: string, count = 1, ms = 20_000) => {
    for (let i = 0; i < ms / 10 && output.split(text).length - 1 < count; i++)
      await new Promise((r) => setTimeout(r, 10))
    expect(output.split(text).length - 1, output).toBeGreaterThanOrEqual(count)
  }
  return { child, exited, saw, output: () => output }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The same outside out/ as before: the sentinel's bytes, and the project directory's entries. */
function outside(dir: string, sentinel: string) {
  return { entries: readdirSync(dir).sort(), sentinel: readTree(sentinel) }
}

describe('crash safety', () => {
  it(`a build killed (-9) at ${TRIALS} points leaves out/ a complete old or new tree`, async () => {
    const { dir, config, sentinel, out, variant } = project()
    const build = ['build', config, '--out', out, '--no-typecheck']
    variant(0)
    expect(dsl(build).status).toBe(0)
    const a = readTree(out)
    variant(1)
    const started = performance.now()
    expect(dsl(build).status).toBe(0)
    // a kill anywhere from the start to a bit past the end of a build
    const span = (performance.now() - started) * 1.2
    const b = readTree(out)
    const before = outside(dir, sentinel)
    for (let i = 0; i < TRIALS; i++) {
      variant(i % 2)
      const killed = run(build)
      await sleep(((i + Math.random()) / TRIALS) * span)
      killed.child.kill('SIGKILL')
      await killed.exited
      expectComplete(out, [a, b], `trial ${i}`)
    }
    // THEN the next build leaves nothing of theirs, and nothing outside out/ changed
    variant(0)
    expect(dsl(build).status).toBe(0)
    expectComplete(out, [a], 'after')
    expect(outside(dir, sentinel)).toEqual(before)
    expect(leftovers(dir)).toEqual([])
    expect(readdirSync(join(dir, '.out.d')).filter((n) => n.startsWith('gen-')).length).toBe(2)
  })

  it(`a watch killed (-9) at ${TRIALS} points, in its first build or a rebuild, leaves a complete tree`, async () => {
    const { dir, config, sentinel, out, variant } = project()
    const build = ['build', config, '--out', out, '--no-typecheck']
    variant(0)
    expect(dsl(build).status).toBe(0)
    const a = readTree(out)
    variant(1)
    expect(dsl(build).status).toBe(0)
    const b = readTree(out)
    const before = outside(dir, sentinel)
    let firstBuildMs = 500
    for (let i = 0; i < TRIALS; i++) {
      variant(i % 2)
      const started = performance.now()
      const watch = run(['build', config, '--out', out, '--watch'])
      if (i % 2 === 0) {
        // in the first build (or before it)
        await sleep(Math.random() * firstBuildMs * 1.2)
      } else {
        await watch.saw('rebuilt in')
        firstBuildMs = performance.now() - started
        // a few rebuilds first, so the next one recycles an old generation
        for (let k = 1; k <= 3; k++) {
          variant((i + k) % 2)
          await watch.saw('rebuilt in', k + 1)
        }
        // in a rebuild: an edit, then a kill within the time a rebuild takes
        variant(i % 2)
        await sleep(Math.random() * 60)
      }
      watch.child.kill('SIGKILL')
      await watch.exited
      expectComplete(out, [a, b], `trial ${i}: ${watch.output()}`)
    }
    variant(0)
    expect(dsl(build).status).toBe(0)
    expectComplete(out, [a], 'after')
    expect(outside(dir, sentinel)).toEqual(before)
    expect(leftovers(dir)).toEqual([])
  })

  it('a build killed (-9) in the switch itself leaves the old tree, and the next build cleans up', async () => {
    const { dir, config, sentinel, out, variant } = project()
    const build = ['build', config, '--out', out, '--no-typecheck']
    variant(0)
    expect(dsl(build).status).toBe(0)
    const a = readTree(out)
    const before = outside(dir, sentinel)
    variant(1)
    const paused = run(build, { DSL_TEST_PAUSE_BEFORE_SWAP_MS: '20000' })
    await paused.saw('pausing before the switch')
    paused.child.kill('SIGKILL')
    await paused.exited
    expectComplete(out, [a], 'killed in the switch')
    expect(leftovers(dir).length).toBeGreaterThan(0)
    expect(dsl(build).status).toBe(0)
    expect(readTree(out).get('salt/only/b.sls')).toBeDefined()
    expect(leftovers(dir)).toEqual([])
    expect(outside(dir, sentinel)).toEqual(before)
  })

  it('a watch killed (-9) in the switch of a rebuild leaves the tree before it', async () => {
    const { dir, config, sentinel, out, variant } = project()
    variant(0)
    const watch = run(['build', config, '--out', out, '--watch'], { DSL_TEST_PAUSE_BEFORE_SWAP_MS: '300' })
    await watch.saw('rebuilt in')
    const a = readTree(out)
    const before = outside(dir, sentinel)
    variant(1)
    await watch.saw('pausing before the switch', 2)
    watch.child.kill('SIGKILL')
    await watch.exited
    expectComplete(out, [a], 'watch killed in the switch')
    expect(dsl(['build', config, '--out', out, '--no-typecheck']).status).toBe(0)
    expect(leftovers(dir)).toEqual([])
    expect(readFileSync(join(out, 'salt', 'only', 'b.sls'), 'utf8')).toContain('b-only')
    expect(outside(dir, sentinel)).toEqual(before)
  })
})
