import { resolve } from 'node:path'
import { compile } from '../compile.ts'
import { slsPath } from '../emit/emit-sls.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { loadMachine, showMachine } from './machine-views.ts'
import { report } from './report.ts'

export const command: Command = {
  summary:
    'Print one emitted SLS module, or one machine: its merged pillar, top-file matches or assumed grains (compiled in memory; out/ is not touched).',
  usage: 'dsl show SLS [ENTRY] | dsl show pillar|top|grains --machine ID [ENTRY] [--format json]',
  async run(argv) {
    const { positionals, values } = parse(argv, { machine: { type: 'string' }, format: { type: 'string' } })
    const [name, entry = 'config'] = positionals
    if (name === 'pillar' || name === 'grains' || (name === 'top' && values.machine !== undefined)) {
      const found = await loadMachine(entry, values.machine)
      return typeof found === 'number' ? found : showMachine(name, found.m, values.format, found.r)
    }
    if (name === undefined) throw new CliError('which SLS? e.g. `dsl show dev.git`')
    const result = await compile({ entry, outDir: resolve('out'), typecheck: false })
    if (report(result.diagnostics, undefined) !== 0 || result.tree === undefined) return 1
    const names = new Set(result.graph?.sls.keys())
    const path = name === 'top' ? 'salt/top.sls' : `salt/${slsPath(name, names)}`
    const text = result.tree.get(path)
    if (text === undefined) throw new CliError(`no SLS '${name}' (known: ${[...names].sort().join(', ')})`, 1)
    process.stdout.write(String(text))
    return 0
  },
}
