import { existsSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { isPlatform, PLATFORMS, type Platform } from '../../dsl/platform.ts'
import { askChoice, askName, askUsers, heading, show } from '../../onboard/ask.ts'
import { detectMachine } from '../../onboard/detect-machine.ts'
import { emptyEnough, packageName, saltDslSpec, writeProject } from '../../onboard/init-project.ts'
import { type ProjectAnswers, scaffoldFiles } from '../../onboard/scaffold-files.ts'
import { defaultUser } from '../../onboard/write-changes.ts'
import { runProcess } from '../run-process.ts'
import { findSaltPython } from '../salt/crosscheck.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { buildTree } from './operate-options.ts'
import { report } from './report.ts'

const ENVIRONMENTS = ['personal', 'work', 'minimal']

export const command: Command = {
  summary:
    "Start a project in an empty directory: package.json, a strict tsconfig, a config with a pillar schema, one profile and this machine (from Salt's grains); then install and build it.",
  usage:
    'dsl init [DIR] [--yes] [--machine ID] [--platform P] [--profile NAME] [--environment E] [--user U ...] [--salt-dsl SPEC] [--skip-install]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      yes: { type: 'boolean', short: 'y', default: false },
      machine: { type: 'string' },
      platform: { type: 'string' },
      profile: { type: 'string' },
      environment: { type: 'string' },
      user: { type: 'string', multiple: true },
      'salt-dsl': { type: 'string' },
      'skip-install': { type: 'boolean', default: false },
    })
    if (values.platform !== undefined && !isPlatform(values.platform))
      throw new CliError(`unknown platform '${values.platform}' (one of ${PLATFORMS.join(', ')})`)
    const dir = resolve(positionals[0] ?? '.')
    const empty = await emptyEnough(dir)
    if (!empty.value) return report(empty.diagnostics, undefined) || 1
    const ask = !values.yes && process.stdin.isTTY === true
    if (ask) heading('dsl init')

    let machine = values.machine
    let platform = values.platform as Platform | undefined
    let arch = ''
    if (machine === undefined || platform === undefined) {
      const python = findSaltPython(undefined, dir)
      if (python === undefined)
        throw new CliError(
          'no Salt found to detect this machine: run scripts/setup.sh, or pass --machine and --platform',
        )
      const found = await detectMachine(python)
      if (found.value === undefined) return report(found.diagnostics, undefined) || 1
      machine ??= found.value.id
      platform ??= found.value.platform
      arch = ` (${found.value.arch}, ${found.value.release})`
    }
    const answers: ProjectAnswers = {
      name: packageName(dir),
      machine: values.machine ?? (ask ? await askName(`Machine name${arch}`, machine, 'minion id') : machine),
      platform,
      profile:
        values.profile ?? (ask ? await askName('Profile', 'workstation', 'profile name') : 'workstation'),
      environment:
        values.environment ??
        (ask ? await askChoice('Environment', ENVIRONMENTS, 'personal', 'another…') : 'personal'),
      users:
        values.user ??
        (ask
          ? await askUsers('Users whose dotfiles it manages (comma-separated)', [defaultUser()])
          : [defaultUser()]),
      saltDsl: values['salt-dsl'] ?? saltDslSpec(),
    }
    const files = scaffoldFiles(answers)
    writeProject(dir, files)
    const where = relative(process.cwd(), dir) || '.'
    const listing = [...files.keys()].map((f) => `  ${f}`).join('\n')
    if (ask) show(listing, `wrote ${where}`)
    else process.stdout.write(`wrote ${where}:\n${listing}\n`)
    process.stdout.write(
      `machine '${answers.machine}': ${answers.platform}, environment ${answers.environment}, profile ${answers.profile}, users ${answers.users.join(', ')}\n`,
    )

    if (!existsSync(join(dir, '.git'))) await runProcess('git', ['init', '-q', dir]).catch(() => undefined)
    if (values['skip-install']) {
      process.stdout.write(`next: cd ${where} && npm install && npx dsl check\n`)
      return 0
    }
    process.stdout.write('installing (npm install)…\n')
    const npm = await runProcess('npm', ['install', '--no-audit', '--no-fund'], dir).catch((e: Error) => ({
      code: -1,
      stderr: e.message,
      stdout: '',
    }))
    if (npm.code !== 0) {
      process.stderr.write(
        `npm install failed in ${where}:\n${npm.stderr.trim().split('\n').slice(-10).join('\n')}\n`,
      )
      return 2
    }
    process.stdout.write('building (dsl build: type-check, checks, out/)…\n')
    const built = await buildTree(join(dir, 'config'), join(dir, 'out'), true)
    if (built !== 0) return built
    process.stdout.write(
      [
        `ready: ${where} builds and checks clean`,
        `next: cd ${where} && npx dsl plan   (then: sudo npx dsl apply)`,
        '      git add -A && git commit -m "My machines" — push it, and a new machine is one bootstrap away',
        '',
      ].join('\n'),
    )
    return 0
  },
}
