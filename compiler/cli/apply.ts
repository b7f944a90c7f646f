import { resolve } from 'node:path'
import { applyFlow, refuse } from '../../machine/apply-flow.ts'
import { gitRevision } from '../../machine/git-revision.ts'
import { discardWarmSalt, prewarmSalt } from '../salt/salt-call.ts'
import { parse } from './args.ts'
import type { Command } from './cli-error.ts'
import { buildTree, jsonFormat, keepCount, openStore, projectRoot, saltPython } from './operate-options.ts'
import { report } from './report.ts'

export const command: Command = {
  summary:
    'Build, plan, ask, then apply with the real Salt (progress from its own log), and record a generation.',
  usage:
    'dsl apply [ENTRY] [--out DIR] [--no-typecheck] [--machine ID | --all | --target T] [--salt-config DIR] [--changed] [--force] [--rollback-on-failure] [--yes] [--keep N] [--format json]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      out: { type: 'string', default: 'out' },
      'no-typecheck': { type: 'boolean', default: false },
      machine: { type: 'string' },
      all: { type: 'boolean', default: false },
      target: { type: 'string' },
      'salt-config': { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
      force: { type: 'boolean', default: false },
      changed: { type: 'boolean', default: false },
      'rollback-on-failure': { type: 'boolean', default: false },
      keep: { type: 'string' },
      format: { type: 'string' },
    })
    const json = jsonFormat(values.format)
    if (!values.yes && process.stdin.isTTY !== true) return refuse()
    const entry = positionals[0] ?? 'config'
    const python = saltPython(entry)
    prewarmSalt(python) // Salt loads while the config builds
    const keep = keepCount(values.keep)
    const outDir = resolve(values.out)
    const built = await buildTree(entry, outDir, !values['no-typecheck'])
    if (built !== 0) return built
    const project = projectRoot(entry)
    // a fleet selection, or a machine reached via the master or salt-ssh, goes through Salt's own fleet tools
    const { applyThroughFleet } = await import('./fleet.ts')
    const through = await applyThroughFleet({
      out: outDir,
      project,
      machine: values.machine,
      all: values.all,
      target: values.target,
      saltConfig: values['salt-config'],
      entry,
      yes: values.yes,
      json,
    })
    if (through !== undefined) {
      discardWarmSalt() // the fleet's Salt runs elsewhere
      return through
    }
    const revision = await gitRevision(project)
    return applyFlow({
      store: openStore(),
      python,
      machine: values.machine,
      source: { kind: 'built', out: outDir, project, ...(revision ? { revision } : {}) },
      yes: values.yes,
      force: values.force,
      changedOnly: values.changed,
      rollbackOnFailure: values['rollback-on-failure'],
      keep,
      json,
      report: (d) => report(d, undefined),
    })
  },
}
