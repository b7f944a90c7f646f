import { resolve } from 'node:path'
import { compile } from '../compile.ts'
import { slsPath } from '../emit/emit-sls.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { report } from './report.ts'

export const command: Command = {
  summary: 'Print one emitted SLS module (compiled in memory; out/ is not touched).',
  usage: 'dsl show SLS [ENTRY]',
  async run(argv) {
    const { positionals } = parse(argv, {})
    const [name, entry = 'config'] = positionals
    if (name === undefined) throw new CliError('which SLS? e.g. `dsl show dev.git`')
    const result = await compile({ entry, outDir: resolve('out'), typecheck: false })
    if (result.tree === undefined || report(result.diagnostics, undefined) !== 0) return 1
    const names = new Set(result.graph?.sls.keys())
    const path = name === 'top' ? 'salt/top.sls' : `salt/${slsPath(name, names)}`
    const text = result.tree.get(path)
    if (text === undefined) throw new CliError(`no SLS '${name}' (known: ${[...names].sort().join(', ')})`, 1)
    process.stdout.write(String(text))
    return 0
  },
}
