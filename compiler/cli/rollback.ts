import { applyFlow, refuse } from '../../machine/apply-flow.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { generationNumber, jsonFormat, keepCount, openStore, saltPython } from './operate-options.ts'
import { report } from './report.ts'

export const command: Command = {
  summary:
    "Apply a stored generation's tree again (default: the one before the last), through plan and confirmation; recorded as a new generation.",
  usage: 'dsl rollback [N] [--machine ID] [--yes] [--keep N] [--format json]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      machine: { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
      keep: { type: 'string' },
      format: { type: 'string' },
    })
    const json = jsonFormat(values.format)
    if (!values.yes && process.stdin.isTTY !== true) return refuse()
    const store = openStore()
    const list = store.list()
    const target = positionals[0] !== undefined ? generationNumber(positionals[0]) : list.at(-2)?.number
    if (target === undefined)
      throw new CliError(`no generation to roll back to (the store at ${store.dir} holds ${list.length})`, 1)
    return applyFlow({
      store,
      python: saltPython('.'),
      machine: values.machine,
      source: { kind: 'generation', number: target, as: 'rollback' },
      yes: values.yes,
      keep: keepCount(values.keep),
      json,
      report: (d) => report(d, undefined),
    })
  },
}
