// The static dashboard: one page per machine (and a fleet page), rendered with Eta, the history chart
// drawn by uPlot (copied from its npm package into the site, so the site needs no network).
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Eta } from 'eta'
import { SELF } from '../compiler/process-id.ts'
import {
  acquireLock,
  currentGeneration,
  generations,
  linkTarget,
  type OutPaths,
  pathsOf,
  removeStale,
} from '../compiler/write/out-dir.ts'
import { CSS, FLEET, HISTORY_JS, LAYOUT, MACHINE } from './dashboard-templates.ts'
import { fleetOrder, type MachineStatus } from './machine-status.ts'

const eta = new Eta({ autoEscape: true, autoTrim: false })

/** A state's TypeScript line as a link an editor or the browser opens (`file:///…/x.ts#L12`). */
const href = (at: { file: string; line: number }) => `${pathToFileURL(at.file).href}#L${at.line}`

const summaryText = (s: MachineStatus['generations'][number]['summary']) =>
  `${s.create + s.change + s.remove} changed, ${s.failed} failed, ${s.blocked} blocked, ${s.unchanged} unchanged`

/** The page's file name for machine `id` in a fleet site. */
export const machinePage = (id: string) => `machine-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.html`

/** The drift a machine's last check found: `dsl drift --record`'s, or its scheduled check's on the master. */
const driftText = (d: MachineStatus['drift']) =>
  d === undefined ? 'not checked' : d.failed ? 'check failed' : d.drift ? 'drifted' : 'in sync'

function machineBody(m: MachineStatus): string {
  const r = m.reports
  const head = r.status ?? r.inventory
  const updates = r.status?.available_updates ?? {}
  const history = m.generations.map((g) => ({
    number: g.number,
    time: g.time,
    t: Date.parse(g.time) / 1000,
    kind: g.kind === 'apply' ? 'apply' : `${g.kind} of ${g.of}`,
    changed: g.summary.create + g.summary.change + g.summary.remove,
    failed: g.summary.failed + g.summary.blocked,
    seconds: g.durationMs / 1000,
  }))
  const last = m.last
  return eta.renderString(MACHINE, {
    m,
    href,
    drift: driftText(m.drift),
    driftSource: m.drift?.jid ? `scheduled check, Salt job ${m.drift.jid}, ` : '',
    profile: head?.profile,
    platform: head?.os ? `${head.os} ${head.osrelease ?? ''}`.trim() : undefined,
    kind: last ? (last.kind === 'apply' ? 'apply' : `${last.kind} of ${last.of}`) : '',
    lastResult: last ? summaryText(last.summary) : '',
    lastClass: last && last.summary.failed + last.summary.blocked > 0 ? 'bad' : 'good',
    revision: last?.revision
      ? `${last.revision.commit.slice(0, 10)}${last.revision.dirty ? ' (dirty)' : ''}`
      : '—',
    files: r.status?.managed_files,
    services: r.status?.services,
    packages: r.inventory?.declared_packages?.map((p) => ({ ...p, update: updates[p.name] })),
    checks: r.compliance?.checks,
    history,
    // `<` escaped: the JSON sits in a <script> element
    historyJson: JSON.stringify(history).replace(/</g, '\\u003c'),
  })
}

function page(title: string, body: string, o: { chart: boolean; back: boolean }): string {
  return eta.renderString(LAYOUT, { title, body, built: new Date().toISOString(), ...o })
}

/**
 * Writes the site into `out` whole, as the build writes out/: `out` is a link to a complete site kept
 * beside it (`.<name>.d/gen-<n>`), built in a staging directory there and switched in by renaming a new
 * link over `out` (one rename(2)), so a reader (or `--serve`) finds the old site or the new one, never
 * half of one and never none. One machine: index.html is its page. A fleet: index.html is the table of
 * machines (failures and drift first), each linking to its page. Refuses (returns why) to replace a
 * directory that is not a site it wrote.
 */
export function writeSite(
  out: string,
  machines: readonly MachineStatus[],
  fleet: boolean,
): { pages: string[]; refused?: undefined } | { pages?: undefined; refused: string } {
  const paths = pathsOf(resolve(out))
  const refused = notOurs(paths)
  if (refused !== undefined) return { refused }
  // one writer at a time (the build's own lock): two dashboards switching and pruning at once could
  // leave the link on a generation the other just removed
  const release = lockSite(paths)
  if (typeof release === 'string') return { refused: release }
  try {
    return { pages: writeLocked(paths, machines, fleet) }
  } finally {
    release()
  }
}

/** Waits (up to a minute) for the site's lock; a dead holder's lock is taken over at once. */
function lockSite(paths: OutPaths): (() => void) | string {
  const deadline = Date.now() + 60_000
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    const lock = acquireLock(paths)
    if (lock.value !== undefined) return lock.value
    if (Date.now() > deadline)
      return `another dsl has been writing ${paths.out} for a minute: try again when it is done`
    // two that start together both back off: a random pause lets one of them through
    Atomics.wait(pause, 0, 0, 20 + Math.floor(Math.random() * 80))
  }
}

function writeLocked(paths: OutPaths, machines: readonly MachineStatus[], fleet: boolean): string[] {
  mkdirSync(paths.state, { recursive: true })
  const stage = join(paths.state, `new-${SELF}`)
  rmSync(stage, { recursive: true, force: true })
  mkdirSync(join(stage, 'assets'), { recursive: true })
  const uplot = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'))
  copyFileSync(join(uplot, 'uPlot.iife.min.js'), join(stage, 'assets', 'uPlot.iife.min.js'))
  copyFileSync(join(uplot, 'uPlot.min.css'), join(stage, 'assets', 'uPlot.min.css'))
  writeFileSync(join(stage, 'assets', 'dashboard.css'), CSS)
  writeFileSync(join(stage, 'assets', 'history.js'), HISTORY_JS)
  const pages: string[] = []
  const write = (name: string, html: string) => {
    writeFileSync(join(stage, name), html)
    pages.push(name)
  }
  if (!fleet) {
    const m = machines[0]!
    write('index.html', page(`salt-dsl: ${m.id}`, machineBody(m), { chart: true, back: false }))
  } else {
    const sorted = [...machines].sort(fleetOrder)
    const rows = sorted.map((m) => ({
      id: m.id,
      page: machinePage(m.id),
      time: m.last?.time ?? '—',
      result: m.last ? summaryText(m.last.summary) : 'never applied',
      failed:
        (m.last !== undefined && m.last.summary.failed + m.last.summary.blocked > 0) ||
        m.drift?.failed === true,
      drifted: m.drift?.drift === true,
      drift: driftText(m.drift),
      generations: m.generations.length,
    }))
    write(
      'index.html',
      page('salt-dsl: fleet', eta.renderString(FLEET, { rows }), { chart: false, back: false }),
    )
    for (const m of sorted)
      write(machinePage(m.id), page(`salt-dsl: ${m.id}`, machineBody(m), { chart: true, back: true }))
  }
  switchTo(paths, stage)
  return pages
}

/** Why `out` must not be replaced: it is there, and neither our link nor a site an older dsl wrote. */
function notOurs(paths: OutPaths): string | undefined {
  const stat = lstatSync(paths.out, { throwIfNoEntry: false })
  if (stat === undefined || currentGeneration(paths) !== undefined) return undefined
  if (stat.isDirectory()) {
    const names = readdirSync(paths.out)
    if (names.length === 0 || existsSync(join(paths.out, 'assets', 'dashboard.css'))) return undefined
  }
  return `${paths.out} exists and is not a dashboard dsl wrote: refusing to replace it (pick another --out)`
}

/** Makes `stage` the next generation and switches `out` to it; keeps the one before, for a reader on it. */
function switchTo(paths: OutPaths, stage: string): void {
  const previous = currentGeneration(paths)
  let n = Math.max(0, ...generations(paths)) + 1
  // another dashboard may take the same number meanwhile: the next free one then
  for (; ; n++) {
    try {
      renameSync(stage, join(paths.state, `gen-${n}`))
      break
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e
    }
  }
  // tests widen the window between taking a number and switching to it, where two writers would race
  const hold = Number(process.env.DSL_DASHBOARD_HOLD_MS ?? 0)
  if (hold > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, hold)
  const link = join(paths.state, `link-${SELF}`)
  rmSync(link, { force: true })
  symlinkSync(linkTarget(paths, n), link)
  // a site an older dsl wrote as a plain directory: moved aside first (the one moment without a site)
  const stat = lstatSync(paths.out, { throwIfNoEntry: false })
  if (stat?.isDirectory() && !stat.isSymbolicLink()) renameSync(paths.out, join(paths.state, `new-${SELF}-1`))
  renameSync(link, paths.out)
  rmSync(join(paths.state, `new-${SELF}-1`), { recursive: true, force: true })
  // a newer one is another dashboard's, written meanwhile
  const keep = new Set([
    n,
    ...(previous !== undefined ? [previous] : []),
    ...generations(paths).filter((g) => g > n),
  ])
  for (const path of removeStale(paths, keep)) rmSync(path, { recursive: true, force: true })
}
