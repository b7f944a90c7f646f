import { explainKey, unknownKey } from '../resolve/explain.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { loadMachine, printExplanation } from './machine-views.ts'

export const command: Command = {
  summary:
    'Explain a pillar key on one machine: its merged value and every layer that set it, in order, with file:line.',
  usage: 'dsl explain KEY --machine ID [ENTRY] [--format json]',
  async run(argv) {
    const { values, positionals } = parse(argv, { machine: { type: 'string' }, format: { type: 'string' } })
    const [key, entry = 'config'] = positionals
    if (key === undefined) throw new CliError('which key? e.g. `dsl explain git.email --machine mbp-work`')
    const found = await loadMachine(entry, values.machine)
    if (typeof found === 'number') return found
    const unknown = unknownKey(found.r.machines, key)
    if (unknown !== undefined) {
      const where = unknown.known === '' ? 'at the top level' : `under '${unknown.known}'`
      const hint = unknown.suggestion
        ? `did you mean '${unknown.suggestion}'?`
        : '`dsl show pillar` lists the keys'
      throw new CliError(
        `no machine's pillar has the key '${unknown.key}' (nothing ${where} matches)\n  hint: ${hint}`,
        1,
      )
    }
    printExplanation(explainKey(found.m, key), values.format)
    return 0
  },
}
