import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { currentUser } from '../../machine/generation-store.ts'
import { formatOutcomes, outcomesJson, overlayNotes, planSummary } from '../../machine/plan-report.ts'
import { runTree } from '../../machine/plan-tree.ts'
import { rootNeeds } from '../../machine/root-needs.ts'
import { prepareOverlay } from '../../machine/run-overlay.ts'
import { changesAnything } from '../../machine/state-outcomes.ts'
import { discardWarmSalt, prewarmSalt } from '../salt/salt-call.ts'
import { parse } from './args.ts'
import type { Command } from './cli-error.ts'
import { buildTree, jsonFormat, openStore, projectRoot, saltPython } from './operate-options.ts'
import { colorOn, report } from './report.ts'

export const command: Command = {
  summary:
    'Build, then show what Salt would change on this machine (its state.apply test=True), per state at its TypeScript line.',
  usage:
    'dsl plan [ENTRY] [--out DIR] [--no-typecheck] [--machine ID | --all | --target T] [--salt-config DIR] [--force] [--format json] [--detailed-exitcode]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      out: { type: 'string', default: 'out' },
      'no-typecheck': { type: 'boolean', default: false },
      machine: { type: 'string' },
      format: { type: 'string' },
      'detailed-exitcode': { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      target: { type: 'string' },
      'salt-config': { type: 'string' },
      force: { type: 'boolean', default: false },
    })
    const json = jsonFormat(values.format)
    const entry = positionals[0] ?? 'config'
    const python = saltPython(entry)
    const outDir = resolve(values.out)
    const { applyThroughFleet, goesThroughFleet } = await import('./fleet.ts')
    // Salt loads while the config builds; a plan through the fleet runs Salt on the master's side instead
    if (!goesThroughFleet(outDir, values)) prewarmSalt(python)
    const built = await buildTree(entry, outDir, !values['no-typecheck'])
    if (built !== 0) return built
    // a fleet selection, or a machine reached via the master or salt-ssh: test=True through Salt's fleet tools
    const through = await applyThroughFleet({
      out: outDir,
      project: projectRoot(entry),
      machine: values.machine,
      all: values.all,
      target: values.target,
      saltConfig: values['salt-config'],
      entry,
      yes: true,
      json,
      plan: { detailedExitcode: values['detailed-exitcode'] },
    })
    if (through !== undefined) {
      discardWarmSalt()
      return through
    }
    const scratch = mkdtempSync(join(tmpdir(), 'salt-dsl-plan-'))
    try {
      // out/ may be a link the next build switches: Salt reads the one tree it names now
      const tree = realpathSync(outDir)
      const project = projectRoot(entry)
      const base = { python, machine: values.machine }
      // what an apply would add: the prune of what the last generation applied, kept local edits
      const overlay = await prepareOverlay({
        store: openStore(),
        tree,
        project,
        scratch,
        ...base,
        force: values.force,
      })
      const plan = await runTree(
        { tree, scratch },
        project,
        { ...base, test: true, ...(overlay.dir ? { overlay: overlay.dir } : {}) },
        overlay.origins,
      )
      const errors = Array.isArray(plan.result) ? plan.result.length : 0
      if (json) {
        const extra = { machine: values.machine ?? null }
        process.stdout.write(outcomesJson(plan.outcomes, plan.summary, plan.diagnostics, extra))
      } else {
        const color = colorOn(process.stdout)
        for (const line of overlayNotes(overlay, values.force)) process.stdout.write(`${line}\n`)
        process.stdout.write(formatOutcomes(plan.outcomes, { color, all: values.all }))
        report(plan.diagnostics, undefined)
        if (process.getuid?.() !== 0) {
          const needs = rootNeeds(plan.outcomes, currentUser())
          process.stderr.write(
            `note: ${needs.note}\n${needs.states.map((o) => `  ${o.fun} ${o.id}\n`).join('')}`,
          )
        }
        process.stdout.write(`Plan: ${planSummary(plan.summary, errors)}\n`)
      }
      if (errors > 0 || plan.summary.failed + plan.summary.blocked > 0) return 1
      return values['detailed-exitcode'] && changesAnything(plan.summary) ? 2 : 0
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  },
}
