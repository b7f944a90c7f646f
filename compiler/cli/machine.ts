import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { Node, type Project } from 'ts-morph'
import { isPlatform, PLATFORMS, type Platform } from '../../dsl/platform.ts'
import { askChoice, askName, askUsers, askYes, heading, show } from '../../onboard/ask.ts'
import { openConfig, stringValue } from '../../onboard/config-project.ts'
import { detectMachine } from '../../onboard/detect-machine.ts'
import { findInventory, type InventorySite, machineIds } from '../../onboard/find-inventory.ts'
import {
  addMachineEdits,
  declaredProfiles,
  type FileChanges,
  knownEnvironments,
  removeMachineEdits,
} from '../../onboard/machine-edits.ts'
import type { DetectedMachine } from '../../onboard/platform-of-grains.ts'
import { configBuilds, defaultUser, describeChanges, writeChanges } from '../../onboard/write-changes.ts'
import { compile } from '../compile.ts'
import { resolveEntry } from '../paths.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { jsonFormat, saltPython } from './operate-options.ts'
import { report } from './report.ts'

const USAGE = [
  'dsl machine add [ID] [--profile P] [--environment E] [--user U ...] [--platform P] [--config DIR] [--yes] [--if-missing] [--dry-run]',
  'dsl machine list [--config DIR] [--format json]',
  'dsl machine remove ID [--config DIR] [--yes]',
].join('\n       ')

export const command: Command = {
  summary:
    "Register this machine in the inventory (its platform from Salt's grains), list the machines, or remove one; the TypeScript is edited in place.",
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv
    if (sub === 'add') return add(rest)
    if (sub === 'list') return list(rest)
    if (sub === 'remove') return remove(rest)
    throw new CliError(`which one: add, list or remove?\n\nusage: ${USAGE}`)
  },
}

const interactive = (yes: boolean) => !yes && process.stdin.isTTY === true

function configRoot(entry: string): string {
  const found = resolveEntry(entry)
  if (found === undefined)
    throw new CliError(`no config at '${entry}' (pass --config DIR, a directory with index.ts)`)
  return found.root
}

function site(project: Project): InventorySite | number {
  const found = findInventory(project)
  if (found.value === undefined) return report(found.diagnostics, undefined) || 1
  return found.value
}

async function add(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    profile: { type: 'string' },
    environment: { type: 'string' },
    user: { type: 'string', multiple: true },
    platform: { type: 'string' },
    config: { type: 'string', default: 'config' },
    yes: { type: 'boolean', short: 'y', default: false },
    'if-missing': { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  })
  if (values.platform !== undefined && !isPlatform(values.platform))
    throw new CliError(`unknown platform '${values.platform}' (one of ${PLATFORMS.join(', ')})`)
  const root = configRoot(values.config)
  const project = openConfig(root)
  const inv = site(project)
  if (typeof inv === 'number') return inv
  const ask = interactive(values.yes)
  if (ask) heading('dsl machine add')

  // this machine as Salt sees it: the id `dsl apply` uses, its platform and architecture
  let detected: DetectedMachine | undefined
  if (positionals[0] === undefined || values.platform === undefined) {
    const found = await detectMachine(saltPython(values.config))
    if (found.value === undefined) return report(found.diagnostics, undefined) || 1
    detected = found.value
  }
  const profiles = [...declaredProfiles(project).keys()]
  const environments = knownEnvironments(project)
  const onboarding = onboardingDefaults(project, inv)
  const defaults = {
    id: positionals[0] ?? detected!.id,
    profile: values.profile ?? onboarding.profile ?? profiles[0] ?? 'default',
    environment: values.environment ?? onboarding.environment ?? environments[0] ?? 'personal',
    users: values.user ?? [defaultUser()],
  }
  const platform = (values.platform ?? detected!.platform) as Platform
  const m = {
    id:
      positionals[0] ??
      (ask ? await askName('Machine name (its Salt minion id)', defaults.id, 'minion id') : defaults.id),
    platform,
    profile:
      values.profile ?? (ask ? await askChoice('Profile', profiles, defaults.profile) : defaults.profile),
    environment:
      values.environment ??
      (ask
        ? await askChoice('Environment', environments, defaults.environment, 'another…')
        : defaults.environment),
    users: values.user ?? (ask ? await askUsers('Users (comma-separated)', defaults.users) : defaults.users),
  }
  if (values['if-missing'] && machineIds(inv.machines).includes(m.id)) {
    process.stdout.write(`machine '${m.id}' is already in the inventory: nothing to do\n`)
    return 0
  }
  const planned = addMachineEdits(project, inv, m)
  if (planned.value === undefined) return report(planned.diagnostics, undefined) || 1
  const arch = detected && !values.platform ? `, ${detected.arch}, ${detected.release}` : ''
  const what = `machine '${m.id}': ${m.platform}${arch}, environment ${m.environment}, profile ${m.profile}, users ${m.users.join(', ') || 'none'}`
  if (values['dry-run']) {
    process.stdout.write(`would register ${what}\n\n${describeChanges(planned.value)}\n`)
    return 0
  }
  return writeChecked(planned.value, values.config, what, ask, `registered ${what}`)
}

async function remove(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    config: { type: 'string', default: 'config' },
    yes: { type: 'boolean', short: 'y', default: false },
  })
  const id = positionals[0]
  if (id === undefined)
    throw new CliError('which machine? `dsl machine remove ID` (`dsl machine list` shows them)')
  const project = openConfig(configRoot(values.config))
  const inv = site(project)
  if (typeof inv === 'number') return inv
  const planned = removeMachineEdits(project, inv, id)
  if (planned.value === undefined) return report(planned.diagnostics, undefined) || 1
  const ask = interactive(values.yes)
  return writeChecked(
    planned.value,
    values.config,
    `removing machine '${id}'`,
    ask,
    `removed machine '${id}'`,
  )
}

/** Shows the edit, asks on a terminal, writes it, and puts the files back if the config no longer builds. */
async function writeChecked(changes: FileChanges, entry: string, what: string, ask: boolean, done: string) {
  const diff = describeChanges(changes)
  if (ask) show(diff, what)
  else process.stdout.write(`${what}\n\n${diff}\n\n`)
  if (ask && !(await askYes('Write these changes?'))) {
    process.stdout.write('nothing written\n')
    return 1
  }
  const restore = writeChanges(changes)
  if (!(await configBuilds(entry))) {
    restore()
    process.stderr.write('the config does not build with this change: the files are as they were\n')
    return 1
  }
  const files = [...changes.keys()].map((f) => relative(process.cwd(), f)).join(', ')
  process.stdout.write(`${done}\nwrote ${files}; the config builds (commit it to keep it)\n`)
  return 0
}

/** The inventory's `onboarding: { environment, profile }`: the defaults for a machine not registered yet. */
function onboardingDefaults(
  project: Project,
  inv: InventorySite,
): { profile?: string; environment?: string } {
  const spec = inv.call.getArguments()[0]
  const onboarding = spec && Node.isObjectLiteralExpression(spec) ? spec.getProperty('onboarding') : undefined
  const value = onboarding && Node.isPropertyAssignment(onboarding) ? onboarding.getInitializer() : undefined
  if (!value || !Node.isObjectLiteralExpression(value)) return {}
  const prop = (name: string) => {
    const p = value.getProperty(name)
    return p && Node.isPropertyAssignment(p)
      ? p.getInitializer()
      : p && Node.isShorthandPropertyAssignment(p)
        ? p.getNameNode()
        : undefined
  }
  const env = stringValue(prop('environment'))
  const handle = prop('profile')?.getText()
  const profile = [...declaredProfiles(project)].find(([, p]) => p.variable === handle)?.[0]
  return { ...(env ? { environment: env } : {}), ...(profile ? { profile } : {}) }
}

async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', default: 'config' },
    format: { type: 'string' },
  })
  const json = jsonFormat(values.format)
  const scratch = mkdtempSync(join(tmpdir(), 'salt-dsl-list-'))
  try {
    const result = await compile({
      entry: values.config,
      outDir: join(scratch, 'out'),
      typecheck: false,
      emit: false,
    })
    const inventory = result.loaded?.program.pillar?.inventory
    if (inventory === undefined) {
      if (report(result.diagnostics, undefined) !== 0) return 1
      throw new CliError('the config has no inventory (no `inventory({...})` call)', 1)
    }
    const machines = inventory.machines.map((m) => ({
      id: m.id,
      platform: m.platform,
      environment: m.environment,
      profile: m.profile,
      users: m.users,
      file: relative(process.cwd(), resolve(m.origin.file)),
      line: m.origin.line,
    }))
    if (json) {
      process.stdout.write(`${JSON.stringify({ machines }, null, 2)}\n`)
      return 0
    }
    const rows = [
      ['ID', 'PLATFORM', 'ENVIRONMENT', 'PROFILE', 'USERS'],
      ...machines.map((m) => [m.id, m.platform, m.environment, m.profile, m.users.join(',') || '-']),
    ]
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
    for (const r of rows)
      process.stdout.write(
        `${r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
      )
    return 0
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
