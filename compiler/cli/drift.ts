import { applyFlow, refuse } from '../../machine/apply-flow.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { jsonFormat, keepCount, openStore, saltPython } from './operate-options.ts'
import { report } from './report.ts'

export const command: Command = {
  summary:
    "What changed on this machine behind salt-dsl's back: Salt's test=True of the last applied generation's tree; --fix applies it again.",
  usage:
    'dsl drift [--machine ID] [--detailed-exitcode] [--fix [--yes]] [--keep N] [--format json] [--record]   (--record: the result also goes to <store>/drift.json)',
  async run(argv) {
    const { values } = parse(argv, {
      machine: { type: 'string' },
      'detailed-exitcode': { type: 'boolean', default: false },
      fix: { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      keep: { type: 'string' },
      format: { type: 'string' },
      record: { type: 'boolean', default: false },
    })
    const json = jsonFormat(values.format)
    if (values.fix && !values.yes && process.stdin.isTTY !== true) return refuse()
    const store = openStore()
    const last = store.list().at(-1)
    if (last === undefined) throw new CliError(`nothing applied yet (no generation in ${store.dir})`, 1)
    return applyFlow({
      store,
      python: saltPython('.'),
      machine: values.machine,
      source: { kind: 'generation', number: last.number, as: 'drift' },
      yes: values.yes,
      keep: keepCount(values.keep),
      json,
      detailedExitcode: values['detailed-exitcode'],
      fix: values.fix,
      record: values.record,
      report: (d) => report(d, undefined),
    })
  },
}
