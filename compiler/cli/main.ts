import { closest } from '../../dsl/suggest.ts'
import { CHECKER_ARG } from './checker-arg.ts'
import { CliError } from './cli-error.ts'
import type { Registry } from './help.ts'

// One line per command: its group in `dsl --help` and its module (loaded only when it runs). Usage,
// options and completion come from the module's `summary` and `usage`.
const COMMANDS: Registry = {
  build: { group: 'write', load: () => import('./build.ts') },
  check: { group: 'write', load: () => import('./check.ts') },
  show: { group: 'write', load: () => import('./show.ts') },
  explain: { group: 'write', load: () => import('./explain.ts') },
  plan: { group: 'operate', load: () => import('./plan.ts') },
  apply: { group: 'operate', load: () => import('./apply.ts') },
  drift: { group: 'operate', load: () => import('./drift.ts') },
  generations: { group: 'operate', load: () => import('./generations.ts') },
  rollback: { group: 'operate', load: () => import('./rollback.ts') },
  diff: { group: 'operate', load: () => import('./diff.ts') },
  init: { group: 'machines', load: () => import('./init.ts') },
  machine: { group: 'machines', load: () => import('./machine.ts') },
  import: { group: 'machines', load: () => import('./import.ts') },
  secrets: { group: 'secrets', load: () => import('./secrets.ts') },
  fleet: { group: 'fleet', load: () => import('./fleet.ts') },
  publish: { group: 'fleet', load: () => import('./publish.ts') },
  audit: { group: 'reports', load: () => import('./audit.ts') },
  dashboard: { group: 'reports', load: () => import('./dashboard.ts') },
  alerts: { group: 'reports', load: () => import('./alerts.ts') },
  compliance: { group: 'reports', load: () => import('./compliance.ts') },
  completion: { group: 'shell', load: () => import('./completion.ts') },
  version: { group: 'shell', load: () => import('./version.ts') },
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === CHECKER_ARG) return (await import('./full-check.ts')).serveFullCheck()
  if (name === '__complete') {
    const { complete, formatCompletion } = await import('./completion.ts')
    process.stdout.write(formatCompletion(await complete(COMMANDS, rest)))
    return 0
  }
  if (name === '--version' || name === '-V') return run('version', [])
  if (
    name === undefined ||
    name === '--help' ||
    name === '-h' ||
    (name === 'help' && rest[0] === undefined)
  ) {
    const { overview } = await import('./help.ts')
    process.stdout.write(`${await overview(COMMANDS)}\n`)
    return name === undefined ? 2 : 0
  }
  if (name === 'help') return run(rest[0]!, ['--help'])
  return run(name, rest)
}

async function run(name: string, rest: string[]): Promise<number> {
  const registration = COMMANDS[name]
  if (registration === undefined) {
    const near = closest(name, [...Object.keys(COMMANDS), 'help'])
    const hint = near ? `did you mean '${near}'?` : 'dsl --help lists the commands'
    process.stderr.write(`dsl: unknown command '${name}'\n  hint: ${hint}\n`)
    return 2
  }
  try {
    const { command } = await registration.load()
    if (rest.includes('--help') || rest.includes('-h')) {
      const { commandHelp } = await import('./help.ts')
      process.stdout.write(`${commandHelp(name, command)}\n`)
      return 0
    }
    return await command.run(rest)
  } catch (thrown) {
    if (thrown instanceof CliError) {
      process.stderr.write(`dsl ${name}: ${thrown.message}\n`)
      return thrown.exitCode
    }
    const text = thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown)
    process.stderr.write(`dsl ${name}: internal error (a bug in salt-dsl, please report it)\n${text}\n`)
    return 2
  }
}
