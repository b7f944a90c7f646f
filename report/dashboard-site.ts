// The static dashboard: one page per machine (and a fleet page), rendered with Eta, the history chart
// drawn by uPlot (copied from its npm package into the site, so the site needs no network).
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Eta } from 'eta'
import { CSS, FLEET, HISTORY_JS, LAYOUT, MACHINE } from './dashboard-templates.ts'
import { fleetOrder, type MachineStatus } from './machine-status.ts'

const eta = new Eta({ autoEscape: true, autoTrim: false })

/** A state's TypeScript line as a link an editor or the browser opens (`file:///…/x.ts#L12`). */
const href = (at: { file: string; line: number }) => `${pathToFileURL(at.file).href}#L${at.line}`

const summaryText = (s: MachineStatus['generations'][number]['summary']) =>
  `${s.create + s.change + s.remove} changed, ${s.failed} failed, ${s.blocked} blocked, ${s.unchanged} unchanged`

/** The page's file name for machine `id` in a fleet site. */
export const machinePage = (id: string) => `machine-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.html`

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
 * Writes the site into `out` whole: built in a sibling directory, then swapped in, so a reader (or
 * `--serve`) never sees half a site. One machine: index.html is its page. A fleet: index.html is the
 * table of machines (failures and drift first), each linking to its page.
 */
export function writeSite(out: string, machines: readonly MachineStatus[], fleet: boolean): string[] {
  const target = resolve(out)
  const stage = `${target}.tmp-${process.pid}`
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
      failed: m.last !== undefined && m.last.summary.failed + m.last.summary.blocked > 0,
      drifted: m.drift?.drift === true,
      drift: m.drift ? (m.drift.drift ? 'drifted' : 'in sync') : 'not checked',
      generations: m.generations.length,
    }))
    write(
      'index.html',
      page('salt-dsl: fleet', eta.renderString(FLEET, { rows }), { chart: false, back: false }),
    )
    for (const m of sorted)
      write(machinePage(m.id), page(`salt-dsl: ${m.id}`, machineBody(m), { chart: true, back: true }))
  }
  rmSync(`${target}.old-${process.pid}`, { recursive: true, force: true })
  try {
    renameSync(target, `${target}.old-${process.pid}`)
  } catch {}
  renameSync(stage, target)
  rmSync(`${target}.old-${process.pid}`, { recursive: true, force: true })
  return pages
}
