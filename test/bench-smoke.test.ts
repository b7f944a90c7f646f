import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
import { BASE_STATES, MACHINES, RENDERED, STATES_PER_MODULE } from '../bench/generate.ts'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..')
const SMALLEST = BASE_STATES + STATES_PER_MODULE

// Only that the benchmark runs end to end: its figures are reported, never asserted.
describe('bench', () => {
  // inside the repo (gitignored .bench/): the generated config imports 'salt-dsl' as a user's would
  mkdirSync(join(REPO, '.bench'), { recursive: true })
  const scratch = mkdtempSync(join(REPO, '.bench', 'smoke-'))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it('runs every measurement on the smallest case and writes the report', async () => {
    // GIVEN the runner bundled the way `npm run bench` bundles it
    const runner = join(scratch, 'run.mjs')
    await build({
      entryPoints: [join(REPO, 'bench', 'run.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: runner,
      logLevel: 'silent',
    })
    // WHEN it runs once per measurement on a one-module case
    const results = join(scratch, 'results')
    const args = [
      '--sizes',
      String(SMALLEST),
      '--runs',
      '1',
      '--salt-runs',
      '1',
      '--watch-runs',
      '2',
      '--rapid-seconds',
      '2',
      '--warmup',
      '0',
    ]
    const run = spawnSync(
      process.execPath,
      [runner, ...args, '--work', join(scratch, 'work'), '--results', results, '--quiet'],
      {
        cwd: REPO,
        encoding: 'utf8',
      },
    )
    // THEN it succeeds and reports the case (a fleet of several machines), with Salt's render of both trees
    // for the rendered machine when Salt is installed: the same highstate of every state, and for every
    // machine the same pillar and state top
    expect(run.status, run.stderr).toBe(0)
    const report = JSON.parse(readFileSync(join(results, 'latest.json'), 'utf8'))
    expect(report.results).toHaveLength(1)
    const [size] = report.results
    expect(size.states).toBe(SMALLEST)
    expect(size.build.runs).toBe(1)
    expect(size.buildEdited.runs).toBe(1)
    expect(size.checkEdited.runs).toBe(1)
    expect(size.watch.runs).toBe(2)
    // the cold build, and the watch under a burst of saves whose last one reached the tree
    expect(size.cold.runs).toBe(1)
    expect(size.rapidWatch.edits).toBeGreaterThan(5)
    expect(size.rapidWatch.peakMb).toBeGreaterThan(0)
    expect(size.rapidWatchShared.edits).toBeGreaterThan(5)
    expect(size.fleet.machines).toBe(MACHINES.length)
    expect(size.fleet.machines).toBeGreaterThan(3)
    expect(size.fleet.platforms).toBeGreaterThan(2)
    if (existsSync(join(REPO, '.venv', 'bin', 'salt-call'))) {
      expect(size.salt.machine).toBe(RENDERED)
      expect(size.salt.sameHighstate).toBe(true)
      expect(size.salt.saltStates).toBe(SMALLEST)
      expect(size.salt.samePillar).toBe(true)
      expect(size.salt.sameTop).toBe(true)
      // the same config also built inside the checkout (tsc then checks the DSL's own sources too)
      expect(size.salt.buildEditedInRepoWithSalt.runs).toBe(1)
    }
    // and the bundled config's check against a bare tsc over the same files, its copy edited and put back
    expect(report.bundled.check.runs).toBe(1)
    expect(report.bundled.checkEdited.runs).toBe(1)
    expect(report.bundled.tsc.runs).toBe(1)
    expect(report.bundled.configFiles).toBeGreaterThan(10)
    expect(readFileSync(join(scratch, 'work', 'bundled', 'config', 'pillar', 'defaults.ts'), 'utf8')).toBe(
      readFileSync(join(REPO, 'config', 'pillar', 'defaults.ts'), 'utf8'),
    )
    expect(readFileSync(join(results, 'latest.md'), 'utf8')).toContain(`| ${SMALLEST} |`)
  })
})
