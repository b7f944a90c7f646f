// The benchmark: `npm run bench [-- --sizes 1000,10000 --runs 5 --salt-max 20000]`.
// For every size: generate the case, then measure `dsl build`, `dsl check` against a bare `tsc --noEmit`,
// a watch-mode rebuild, and (up to --salt-max) Salt's show_highstate of the emitted tree against the
// hand-written one; pairs are measured interleaved and their ratios computed from the same run.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { coldBuild } from './cold-build.ts'
import { editing } from './edit.ts'
import { type BenchCase, generate } from './generate.ts'
import { type Command, interleaved, type Stats } from './measure.ts'
import { measureRapidWatch, type RapidWatchStats } from './rapid-watch.ts'
import { highstateOf, pillarOf, saltVersions, showHighstate, topOf } from './salt.ts'
import { measureWatch, type WatchStats } from './watch.ts'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,20000,100000' },
    runs: { type: 'string', default: '5' },
    'salt-runs': { type: 'string', default: '3' },
    'salt-max': { type: 'string', default: '20000' },
    'watch-runs': { type: 'string', default: '10' },
    /** How long the watch gets a save every 50 ms (its memory under an auto-saving editor). */
    'rapid-seconds': { type: 'string', default: '30' },
    warmup: { type: 'string', default: '1' },
    work: { type: 'string', default: '.bench' },
    results: { type: 'string', default: 'bench/results' },
    name: { type: 'string', default: 'latest' },
    quiet: { type: 'boolean', default: false },
  },
})

const ROOT = process.cwd()
const CLI = join(ROOT, 'bin', 'dsl.js')
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const SALT_CALL = join(ROOT, '.venv', 'bin', 'salt-call')
const PYTHON = join(ROOT, '.venv', 'bin', 'python')
const sizes = values.sizes.split(',').map((s) => Number(s.trim().replace(/k$/i, '000')))
const runs = Number(values.runs)
const saltRuns = Number(values['salt-runs'])
const saltMax = Number(values['salt-max'])
const watchRuns = Number(values['watch-runs'])
const rapidSeconds = Number(values['rapid-seconds'])
const warmup = Number(values.warmup)
const work = resolve(values.work)

if (!existsSync(join(ROOT, 'dist', 'cli.cjs')))
  throw new Error('the CLI is not built: run `node scripts/bundle.js` first')
const withSalt = existsSync(SALT_CALL)
if (!withSalt) log('Salt is not installed (.venv/bin/salt-call): skipping the Salt measurements')

interface Report {
  readonly date: string
  readonly machine: ReturnType<typeof machine>
  readonly settings: Record<string, number>
  readonly results: readonly SizeResult[]
  readonly growth: Record<string, number>
  readonly bundled: BundledResult
}

/** `dsl check` of the bundled config (config/) against a bare `tsc --noEmit` over the same files. */
interface BundledResult {
  readonly configFiles: number
  readonly check: Stats
  readonly checkEdited: Stats
  readonly tsc: Stats
}

interface SizeResult {
  readonly states: number
  readonly modules: number
  readonly configFiles: number
  readonly fleet: BenchCase['fleet']
  /** Nothing changed since the last build: the type-check is remembered (tsc does not run). */
  readonly build: Stats
  /** One config file edited before each run: tsc checks incrementally. */
  readonly buildEdited: Stats
  readonly buildNoTypecheck: Stats
  /** A first build from nothing: no module cache, no tsc state, no out/ (see cold-build.ts). */
  readonly cold: Stats
  readonly check: Stats
  readonly checkEdited: Stats
  readonly tsc: Stats
  readonly watch: WatchStats
  readonly rapidWatch: RapidWatchStats
  /** The same with the saves in a file every module imports (each rebuild runs every module). */
  readonly rapidWatchShared: RapidWatchStats
  readonly salt?: {
    readonly emitted: Stats
    readonly hand: Stats
    /** The machine rendered (its id; its grains are simulated in the minion config). */
    readonly machine: string
    readonly sameHighstate: boolean
    /**
     * Every machine of the inventory gets the same merged pillar from both trees (the hand-written tree's
     * own loop data aside) and the same SLS from their state top files.
     */
    readonly samePillar: boolean
    readonly sameTop: boolean
    readonly saltStates: number
    readonly buildWithSalt: Stats
    readonly buildEditedWithSalt: Stats
    /** The same config inside this checkout (BenchLayout `repo`), edited. */
    readonly buildEditedInRepoWithSalt: Stats
  }
  readonly ratios: Record<string, number>
}

function log(message: string): void {
  if (!values.quiet) process.stderr.write(`bench: ${message}\n`)
}

const node = (...args: string[]) => [process.execPath, ...args]

function dslBuild(c: BenchCase, out: string, typecheck: boolean): Command {
  return {
    argv: node(CLI, 'build', c.entry, '--out', out, '--quiet', ...(typecheck ? [] : ['--no-typecheck'])),
    cwd: ROOT,
  }
}

async function measureSize(states: number): Promise<SizeResult> {
  const dir = join(work, `n${states}`)
  log(`${states} states: generating into ${dir}`)
  const c = generate(states, dir, ROOT)
  const out = join(dir, 'out')
  const build = dslBuild(c, out, true)
  // before each edited run, the next version of one config file
  const editor = editing(c.touch)
  const edit = () => void editor.edit()
  const restore = () => editor.restore()
  const buildEdited: Command = { ...build, before: edit }
  log(`${states}: dsl build (unchanged / one file edited) / dsl build --no-typecheck`)
  const [buildStats, editedStats, noTc] = await interleaved(
    [build, buildEdited, dslBuild(c, out, false)],
    runs,
    warmup,
  )
  log(`${states}: dsl build cold (no module cache, tsc state or out/)`)
  const [cold] = await interleaved([coldBuild(build, dir, out)], runs, 0)
  log(`${states}: dsl check (unchanged / one file edited) vs tsc --noEmit`)
  const check: Command = { argv: node(CLI, 'check', c.entry), cwd: ROOT }
  const checkEdited: Command = { ...check, before: edit }
  const tsc: Command = { argv: node(TSC, '-p', c.tsconfig, '--noEmit', '--pretty', 'false'), cwd: ROOT }
  const [checkStats, checkEditedStats, tscStats] = await interleaved([check, checkEdited, tsc], runs, warmup)
  restore()
  log(`${states}: watch rebuild`)
  const watch = await measureWatch(
    {
      cli: CLI,
      cwd: ROOT,
      entry: c.entry,
      outDir: join(dir, 'out-watch'),
      touch: c.touch,
      touched: c.touched,
    },
    watchRuns,
  )
  log(
    `${states}: watch under a save every 50 ms for ${rapidSeconds} s, of one module, then of one all import`,
  )
  const rapid = (touch: BenchCase['touch'], touched: BenchCase['touched']) =>
    measureRapidWatch(
      { cli: CLI, cwd: ROOT, entry: c.entry, outDir: join(dir, 'out-watch'), touch, touched },
      { seconds: rapidSeconds },
    )
  const rapidWatch = await rapid(c.touch, c.touched)
  const rapidWatchShared = await rapid(c.touchShared, c.touchedShared)
  const ratios: Record<string, number> = {
    checkOverTsc: checkStats!.medianMs / tscStats!.medianMs,
    checkEditedOverTsc: checkEditedStats!.medianMs / tscStats!.medianMs,
  }
  let salt: SizeResult['salt']
  if (withSalt && states <= saltMax) {
    log(
      `${states}: salt show_highstate of ${c.minion.id}, emitted vs hand-written (with dsl build interleaved)`,
    )
    // out/ as the unedited config gives it (the edited runs above may have left the other variant)
    const [bin, ...args] = build.argv as [string, ...string[]]
    execFileSync(bin, args, { cwd: ROOT, stdio: 'ignore' })
    const emittedTree = { fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
    const emitted = showHighstate(SALT_CALL, join(dir, 'salt-emitted'), emittedTree, c.minion)
    const hand = showHighstate(SALT_CALL, join(dir, 'salt-hand'), c.hand, c.minion)
    const a = highstateOf(emitted)
    const b = highstateOf(hand)
    const sameHighstate = JSON.stringify(a) === JSON.stringify(b)
    if (!sameHighstate)
      log(`${states}: WARNING the two trees render different highstates (${diffSummary(a, b)})`)
    log(`${states}: pillar and state top of every machine, emitted vs hand-written`)
    let samePillar = true
    let sameTop = true
    for (const minion of c.minions) {
      const pa = pillarOf(SALT_CALL, join(dir, 'check-emitted'), emittedTree, minion)
      const pb = pillarOf(SALT_CALL, join(dir, 'check-hand'), c.hand, minion)
      for (const key of c.handOnlyPillar) delete pb[key]
      if (JSON.stringify(pa) !== JSON.stringify(pb)) {
        samePillar = false
        log(`${states}: WARNING ${minion.id} gets different pillars (${diffSummary(pa, pb)})`)
      }
      const ta = JSON.stringify(topOf(SALT_CALL, join(dir, 'check-emitted'), emittedTree, minion))
      const tb = JSON.stringify(topOf(SALT_CALL, join(dir, 'check-hand'), c.hand, minion))
      if (ta !== tb) {
        sameTop = false
        log(`${states}: WARNING ${minion.id} gets different SLS: ${ta.slice(0, 300)} vs ${tb.slice(0, 300)}`)
      }
    }
    const inRepo = generate(states, join(work, `n${states}-repo`), ROOT, 'repo')
    const repoEditor = editing(inRepo.touch)
    const buildEditedInRepo: Command = {
      ...dslBuild(inRepo, join(inRepo.dir, 'out'), true),
      before: () => void repoEditor.edit(),
    }
    const [buildWithSalt, buildEditedWithSalt, buildEditedInRepoWithSalt, e, h] = await interleaved(
      [build, buildEdited, buildEditedInRepo, emitted, hand],
      saltRuns,
      warmup,
    )
    restore()
    repoEditor.restore()
    salt = {
      emitted: e!,
      hand: h!,
      machine: c.minion.id,
      sameHighstate,
      samePillar,
      sameTop,
      saltStates: Object.keys(a).length,
      buildWithSalt: buildWithSalt!,
      buildEditedWithSalt: buildEditedWithSalt!,
      buildEditedInRepoWithSalt: buildEditedInRepoWithSalt!,
    }
    ratios.buildOverSaltEmitted = buildWithSalt!.medianMs / e!.medianMs
    ratios.buildEditedOverSaltEmitted = buildEditedWithSalt!.medianMs / e!.medianMs
    ratios.buildEditedInRepoOverSaltEmitted = buildEditedInRepoWithSalt!.medianMs / e!.medianMs
    ratios.saltEmittedOverHand = e!.medianMs / h!.medianMs
  }
  const configFiles = Number(
    execFileSync('find', [join(dir, 'config'), '-name', '*.ts'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean).length,
  )
  return {
    states,
    modules: c.modules,
    configFiles,
    fleet: c.fleet,
    build: buildStats!,
    buildEdited: editedStats!,
    buildNoTypecheck: noTc!,
    cold: cold!,
    check: checkStats!,
    checkEdited: checkEditedStats!,
    tsc: tscStats!,
    watch,
    rapidWatch,
    rapidWatchShared,
    ...(salt ? { salt } : {}),
    ratios,
  }
}

/**
 * The bundled config, copied under the work dir (an edit never touches config/ itself): `dsl check` with
 * nothing changed and after a one-file edit, against a bare `tsc --noEmit` of a tsconfig that extends the
 * project's and names the same entry, interleaved.
 */
async function measureBundled(): Promise<BundledResult> {
  const dir = join(work, 'bundled')
  rmSync(dir, { recursive: true, force: true })
  cpSync(join(ROOT, 'config'), join(dir, 'config'), { recursive: true })
  const tsconfig = join(dir, 'tsconfig.json')
  const extendsPath = relative(dir, join(ROOT, 'tsconfig.json'))
  writeFileSync(
    tsconfig,
    `${JSON.stringify({ extends: extendsPath, files: ['config/index.ts'], include: [] }, null, 2)}\n`,
  )
  const entry = join(dir, 'config', 'index.ts')
  const editor = editing({
    file: join(dir, 'config', 'pillar', 'defaults.ts'),
    from: 'screen_lock_minutes: 15',
    to: 'screen_lock_minutes: 16',
  })
  log('bundled config: dsl check (unchanged / one file edited) vs tsc --noEmit')
  const check: Command = { argv: node(CLI, 'check', entry), cwd: ROOT }
  const checkEdited: Command = { ...check, before: () => void editor.edit() }
  const tsc: Command = { argv: node(TSC, '-p', tsconfig, '--noEmit', '--pretty', 'false'), cwd: ROOT }
  const [a, b, t] = await interleaved([check, checkEdited, tsc], runs, warmup)
  editor.restore()
  const configFiles = execFileSync('find', [join(dir, 'config'), '-name', '*.ts'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean).length
  return { configFiles, check: a!, checkEdited: b!, tsc: t! }
}

function diffSummary(a: Record<string, unknown>, b: Record<string, unknown>): string {
  const onlyA = Object.keys(a).filter((k) => !(k in b))
  const onlyB = Object.keys(b).filter((k) => !(k in a))
  const differ = Object.keys(a).filter((k) => k in b && JSON.stringify(a[k]) !== JSON.stringify(b[k]))
  const first = differ[0]
  return `${onlyA.length} only emitted, ${onlyB.length} only hand-written, ${differ.length} differ${first ? `, e.g. ${first}: ${JSON.stringify(a[first])} vs ${JSON.stringify(b[first])}` : ''}`
}

function machine() {
  const versions = withSalt ? saltVersions(SALT_CALL, PYTHON) : { salt: 'not installed', python: 'n/a' }
  const tsc = execFileSync(process.execPath, [TSC, '--version'], { encoding: 'utf8' }).trim()
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    nproc: cpus().length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    typescript: `tsc ${tsc.replace(/^Version /, '')}`,
    ...versions,
    kernel: `Linux ${readFileSync('/proc/version', 'utf8').split(' ')[2]}`,
  }
}

// ---- the report --------------------------------------------------------------------------------

function ms(s: Stats): string {
  const fmt = (n: number) => (n >= 10000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`)
  return `${fmt(s.medianMs)} (${fmt(s.minMs)}–${fmt(s.maxMs)})`
}
const mb = (s: Stats) => `${Math.round(s.maxRssMb)} MB`
const x = (n: number | undefined) => (n === undefined ? '–' : `${n.toFixed(2)}×`)

function fleetLine(s: SizeResult | undefined): string[] {
  if (s === undefined) return []
  const f = s.fleet
  return [
    `Each case: a typed pillar in ${f.layers} layers, ${f.profiles} profiles splitting the modules, an inventory of ${f.machines} machines`,
    `(${f.platforms} platforms, ${f.environments} environments); Salt renders one machine whose profile has every state, both trees.`,
  ]
}

function markdown(r: Report): string {
  const m = r.machine
  const lines = [
    '# salt-dsl benchmark',
    '',
    `Generated by \`npm run bench\` on ${r.date.slice(0, 10)}. Machine: ${m.cpu}, ${m.nproc} cores, ${m.memoryGb} GB; ${m.kernel};`,
    `node ${m.node}, ${m.typescript}, ${m.python}, ${m.salt}.`,
    `Each figure: median (min–max) of ${r.settings.runs} runs (Salt: ${r.settings.saltRuns}, watch: ${r.settings.watchRuns} edits) after ${r.settings.warmup} warm-up;`,
    'peak RSS is the largest single process of a run (GNU time `%M`; `dsl build` type-checks in a child `tsc`).',
    '"unchanged": nothing changed since the last run, so the remembered clean type-check stands and tsc does not start;',
    '"edited": one config file is edited before each run, so tsc checks incrementally (what a commit costs).',
    ...fleetLine(r.results[0]),
    '',
    '## Compile',
    '',
    '| states | config files | dsl build, unchanged | peak RSS | dsl build, edited | peak RSS | build --no-typecheck | peak RSS | dsl check, unchanged | dsl check, edited | tsc --noEmit (cold) | check / tsc (unchanged, edited) | watch rebuild (edit → tree) | watch RSS |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.results
      .map((s) =>
        [
          s.states,
          s.configFiles,
          ms(s.build),
          mb(s.build),
          ms(s.buildEdited),
          mb(s.buildEdited),
          ms(s.buildNoTypecheck),
          mb(s.buildNoTypecheck),
          ms(s.check),
          ms(s.checkEdited),
          ms(s.tsc),
          `${x(s.ratios.checkOverTsc)}, ${x(s.ratios.checkEditedOverTsc)}`,
          `${ms(s.watch)}; self-reported ${s.watch.reportedMedianMs} ms`,
          `${Math.round(s.watch.maxRssMb)} MB`,
        ].join(' | '),
      )
      .map((l) => `| ${l} |`),
    '',
    '## Memory: a cold build, and the watch under a burst of saves',
    '',
    '"cold": no module cache, no tsc state, no out/ (a fresh clone\'s first build; peak RSS as above, the largest',
    'single process). Watch: one file saved every 50 ms for the burst, then left alone while the idle check (a full',
    "build in a worker thread) runs; peak RSS is the watch process's own high-water mark (its first build's tsc",
    'is a child and not counted). "one module": the file the watch rebuild above edits (ten modules run again);',
    '"imported by all": `base.ts`, which every module imports, so every rebuild runs the whole config.',
    '',
    '| states | dsl build, cold | peak RSS | unchanged / edited peak RSS | saves to | watch: saves, rebuilds | first build peak | burst peak | peak with the idle check | after it |',
    '|---:|---:|---:|---:|:---|---:|---:|---:|---:|---:|',
    ...r.results.flatMap((s) =>
      (
        [
          ['one module', s.rapidWatch],
          ['imported by all', s.rapidWatchShared],
        ] as const
      ).map(
        ([what, w], i) =>
          `| ${[
            i === 0 ? s.states : '',
            i === 0 ? ms(s.cold) : '',
            i === 0 ? mb(s.cold) : '',
            i === 0 ? `${mb(s.build)} / ${mb(s.buildEdited)}` : '',
            what,
            `${w.edits} in ${r.settings.rapidSeconds} s, ${w.rebuilds}`,
            `${Math.round(w.firstBuildPeakMb)} MB`,
            `${Math.round(w.burstPeakMb)} MB`,
            `${Math.round(w.peakMb)} MB`,
            `${Math.round(w.settledMb)} MB`,
          ].join(' | ')} |`,
      ),
    ),
    '',
    '## Against Salt (`salt-call --local state.show_highstate`, fresh cachedir per run)',
    '',
    '"in the repo": the same config inside this checkout, so that tsc also checks the DSL\'s own sources and Node\'s',
    "typings; the other figures are of a project that depends on salt-dsl, as a user's does.",
    '',
    '| states | machine | dsl build, unchanged | dsl build, edited | edited, in the repo | Salt: emitted tree | peak RSS | Salt: hand-written Jinja | peak RSS | build / Salt (unchanged, edited; in the repo) | emitted / hand | same highstate | same pillar and top, every machine |',
    '|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|',
    ...r.results
      .filter((s) => s.salt)
      .map((s) => {
        const salt = s.salt!
        return `| ${[
          s.states,
          salt.machine,
          ms(salt.buildWithSalt),
          ms(salt.buildEditedWithSalt),
          ms(salt.buildEditedInRepoWithSalt),
          ms(salt.emitted),
          mb(salt.emitted),
          ms(salt.hand),
          mb(salt.hand),
          `${x(s.ratios.buildOverSaltEmitted)}, ${x(s.ratios.buildEditedOverSaltEmitted)}; ${x(s.ratios.buildEditedInRepoOverSaltEmitted)}`,
          x(s.ratios.saltEmittedOverHand),
          salt.sameHighstate ? `yes (${salt.saltStates} states)` : 'NO',
          salt.samePillar && salt.sameTop ? `yes (${s.fleet.machines})` : 'NO',
        ].join(' | ')} |`
      }),
    '',
    '## Growth',
    '',
    ...Object.entries(r.growth).map(([k, v]) => `- ${k}: ${x(v)}`),
    '',
    '## The bundled config (`dsl check` against a bare `tsc --noEmit` over the same files)',
    '',
    '| config files | dsl check, unchanged | dsl check, edited | tsc --noEmit | check / tsc (unchanged, edited) |',
    '|---:|---:|---:|---:|---:|',
    `| ${[
      r.bundled.configFiles,
      ms(r.bundled.check),
      ms(r.bundled.checkEdited),
      ms(r.bundled.tsc),
      `${x(r.bundled.check.medianMs / r.bundled.tsc.medianMs)}, ${x(r.bundled.checkEdited.medianMs / r.bundled.tsc.medianMs)}`,
    ].join(' | ')} |`,
    '',
  ]
  return `${lines.join('\n')}\n`
}

async function main(): Promise<void> {
  const results: SizeResult[] = []
  for (const size of sizes) results.push(await measureSize(size))
  const byStates = new Map(results.map((r) => [r.states, r]))
  const growth: Record<string, number> = {}
  for (const [small, big] of [
    [1000, 10000],
    [10000, 100000],
  ]) {
    const a = byStates.get(small!)
    const b = byStates.get(big!)
    if (a && b) {
      growth[`build ${big}/${small}`] = b.build.medianMs / a.build.medianMs
      growth[`build, edited ${big}/${small}`] = b.buildEdited.medianMs / a.buildEdited.medianMs
      growth[`build --no-typecheck ${big}/${small}`] =
        b.buildNoTypecheck.medianMs / a.buildNoTypecheck.medianMs
      growth[`check ${big}/${small}`] = b.check.medianMs / a.check.medianMs
    }
  }
  const bundled = await measureBundled()
  const report: Report = {
    date: new Date().toISOString(),
    machine: machine(),
    settings: { runs, saltRuns, watchRuns, rapidSeconds, warmup },
    results,
    growth,
    bundled,
  }
  mkdirSync(values.results, { recursive: true })
  writeFileSync(join(values.results, `${values.name}.json`), `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(join(values.results, `${values.name}.md`), markdown(report))
  log(`wrote ${join(values.results, `${values.name}.md`)} and .json`)
  if (!values.quiet) process.stdout.write(markdown(report))
}

await main()
