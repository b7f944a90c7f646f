import { tmpdir } from 'node:os'
import { compile } from '../compile.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { report } from './report.ts'

export const command: Command = {
  summary: 'Type-check and validate a config without writing anything: the CI gate.',
  usage: 'dsl check [ENTRY] [--format json]',
  async run(argv) {
    const { values, positionals } = parse(argv, { format: { type: 'string' } })
    if (values.format !== undefined && values.format !== 'json' && values.format !== 'text') {
      throw new CliError(`unknown --format '${values.format}' (text or json)`)
    }
    const result = await compile({ entry: positionals[0] ?? 'config', outDir: tmpdir() })
    const code = report(result.diagnostics, values.format)
    if (code === 0 && values.format !== 'json') {
      process.stderr.write(
        `ok: ${result.graph?.states.length ?? 0} states in ${result.graph?.sls.size ?? 0} SLS modules\n`,
      )
    }
    return code
  },
}
