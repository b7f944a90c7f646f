import { type ParseArgsConfig, parseArgs } from 'node:util'
import { CliError } from './cli-error.ts'

/** `util.parseArgs` with usage errors as CliError. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (thrown) {
    throw new CliError(thrown instanceof Error ? thrown.message : String(thrown))
  }
}
