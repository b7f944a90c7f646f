import { CHECKER_ARG } from './checker-arg.ts'
import { CliError, type Command } from './cli-error.ts'

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  build: () => import('./build.ts'),
  check: () => import('./check.ts'),
  show: () => import('./show.ts'),
  explain: () => import('./explain.ts'),
  plan: () => import('./plan.ts'),
  apply: () => import('./apply.ts'),
  generations: () => import('./generations.ts'),
  rollback: () => import('./rollback.ts'),
  drift: () => import('./drift.ts'),
  diff: () => import('./diff.ts'),
  init: () => import('./init.ts'),
  machine: () => import('./machine.ts'),
  import: () => import('./import.ts'),
}

function help(): string {
  return [
    'dsl: typed TypeScript for SaltStack',
    '',
    'usage: dsl <command> [options]   (dsl <command> --help for details)',
    '',
    '  build [ENTRY] [--out DIR] [--watch]   compile the config into a Salt tree (default config/ → out/)',
    '  check [ENTRY] [--format json] [--salt] report every problem without writing anything;',
    '                                         --salt: also render every machine with the real Salt',
    '  show SLS [ENTRY]                       print one emitted SLS',
    '  show pillar|top|grains --machine ID    one machine: merged pillar, top-file matches, assumed grains',
    '  explain KEY --machine ID               a pillar value and every layer that set it (file:line)',
    '',
    '  plan [ENTRY] [--machine ID]            build, then what Salt would change here (test=True), per state',
    '  apply [ENTRY] [--yes]                  build, plan, ask, apply with Salt; records a generation',
    '  generations                            the applied generations this machine keeps',
    '  rollback [N] [--yes]                   apply generation N again (default: the one before the last)',
    "  drift [--fix]                          what changed behind salt-dsl's back since the last apply",
    '  diff [REV | DIR] [--machine ID|--all]  per machine, what a change does (states, requisites, pillar)',
    '',
    '  init [DIR] [--yes]                     a new project: config, this machine, installed and built',
    '  machine add|list|remove                register this machine (Salt grains), list, or remove one',
    '',
    'exit codes: 0 clean, 1 diagnostics, 2 usage or internal error',
  ].join('\n')
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === CHECKER_ARG) return (await import('./full-check.ts')).serveFullCheck()
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`)
    return name === undefined ? 2 : 0
  }
  const load = COMMANDS[name]
  if (load === undefined) {
    process.stderr.write(`dsl: unknown command '${name}'\n\n${help()}\n`)
    return 2
  }
  try {
    const { command } = await load()
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n`)
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
