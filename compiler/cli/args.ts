import { type ParseArgsConfig, parseArgs } from 'node:util'
import { closest } from '../../dsl/suggest.ts'
import { CliError } from './cli-error.ts'

/** `util.parseArgs` with usage errors as CliError; a misspelled option gets a "did you mean". */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message : String(thrown)
    const unknown = /^Unknown option '(-{1,2}[^'=]+)/.exec(message)?.[1]
    if ((thrown as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown !== undefined) {
      const near = closest(unknown.replace(/^-+/, ''), Object.keys(options))
      const hint = near ? `did you mean '--${near}'?` : '--help lists the options'
      throw new CliError(`unknown option '${unknown}'\n  hint: ${hint}`)
    }
    throw new CliError(message)
  }
}
