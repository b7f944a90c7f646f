// Generates one benchmark case: a salt-dsl config of exactly N states (TypeScript, the way a user writes
// it: data lists and loops, one file per SLS module, a typed pillar in layers, profiles splitting the
// modules and an inventory of several machines on several platforms) and the same config hand-written for
// Salt (Jinja loops over pillar lists, one pillar file per module, the same pillar layers, and top files that
// target minion ids and grains), so every machine gets the same pillar from both trees and the rendered
// machine the same highstate.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

/** States per generated module (the last module takes the remainder as extra packages). */
export const STATES_PER_MODULE = 100
/** States of `fleet.base`. */
export const BASE_STATES = 7
const MODULES_PER_TEAM = 10
/** Literal packages per module; one more package's name is picked per platform. */
const PACKAGES = 39
const SERVICES = 10
const USERS = 4
const DOTFILES = ['.bashrc', '.profile'] as const
const CRONS = 6
const GITS = 4
const ARCHIVES = 2
const REINDEXES = 2

const TOOLS = ['jq', 'htop', 'tmux', 'ripgrep', 'fd', 'bat', 'curl', 'rsync', 'strace', 'lsof']

// ---- the fleet: machines, profiles, pillar layers -----------------------------------------------

type Platform = 'ubuntu' | 'debian' | 'fedora' | 'arch'
type ProfileName = 'full' | 'core' | 'edge'

/** A machine of the generated inventory. */
export interface BenchMachine {
  readonly id: string
  readonly platform: Platform
  readonly environment: string
  readonly profile: ProfileName
  readonly users: readonly string[]
}

export const MACHINES: readonly BenchMachine[] = [
  { id: 'bench-01', platform: 'ubuntu', environment: 'production', profile: 'full', users: ['ops'] },
  { id: 'bench-02', platform: 'debian', environment: 'production', profile: 'core', users: ['ops', 'dba'] },
  { id: 'bench-03', platform: 'fedora', environment: 'staging', profile: 'edge', users: ['dev'] },
  { id: 'bench-04', platform: 'arch', environment: 'staging', profile: 'full', users: ['dev', 'ops'] },
  { id: 'bench-05', platform: 'fedora', environment: 'development', profile: 'core', users: [] },
  { id: 'bench-06', platform: 'ubuntu', environment: 'development', profile: 'edge', users: ['dev'] },
]

/**
 * The machine Salt renders: profile `full` (every module) in `production` (archives and monitoring on), so
 * its highstate holds all N states.
 */
export const RENDERED = 'bench-01'

/** The identity grains Salt reports on each platform (what the hand-written top files match on). */
const OS_GRAINS: Readonly<Record<Platform, { os: string; os_family: string; kernel: string }>> = {
  ubuntu: { os: 'Ubuntu', os_family: 'Debian', kernel: 'Linux' },
  debian: { os: 'Debian', os_family: 'Debian', kernel: 'Linux' },
  fedora: { os: 'Fedora', os_family: 'RedHat', kernel: 'Linux' },
  arch: { os: 'Arch', os_family: 'Arch', kernel: 'Linux' },
}

type Data = { readonly [key: string]: Data | string | number | boolean | readonly string[] }

/** Feature flags per profile (merged right after the defaults). */
const PROFILE_FEATURES: Readonly<Record<ProfileName, Data | undefined>> = {
  full: { monitoring: true },
  core: undefined,
  edge: { archives: false },
}

const ACCOUNTS: Readonly<Record<string, { shell: string; editor: string }>> = {
  ops: { shell: '/bin/zsh', editor: 'vim' },
  dba: { shell: '/bin/bash', editor: 'nano' },
  dev: { shell: '/usr/bin/fish', editor: 'emacs' },
}

const PACKAGER: Readonly<Record<Platform, string>> = {
  ubuntu: 'apt',
  debian: 'apt',
  fedora: 'dnf',
  arch: 'pacman',
}

/** Every pillar layer (profiles aside) in merge order: defaults, environments, platforms, machines, users. */
function layers(): [path: string, data: Data][] {
  const platforms = [...new Set(MACHINES.map((m) => m.platform))]
  const users = [...new Set(MACHINES.flatMap((m) => m.users))]
  return [
    [
      'defaults/common',
      {
        motd: 'managed by salt-dsl',
        mirror: { url: 'https://mirror.example.org/stable', gpgcheck: true },
        tuning: { swappiness: 10 },
        ntp: { servers: ['0.pool.ntp.org', '1.pool.ntp.org'] },
      },
    ],
    ['defaults/features', { features: { archives: true, monitoring: false } }],
    [
      'environments/production',
      {
        mirror: { url: 'https://mirror.example.org/production' },
        features: { monitoring: true },
        ntp: { servers: ['ntp1.example.org', 'ntp2.example.org', 'ntp3.example.org'] },
      },
    ],
    [
      'environments/staging',
      {
        motd: 'staging - expect breakage',
        mirror: { url: 'https://mirror.example.org/staging', gpgcheck: false },
      },
    ],
    [
      'environments/development',
      { motd: 'development box', tuning: { swappiness: 60 }, features: { archives: false } },
    ],
    ...platforms.map((p): [string, Data] => [
      `platforms/${p}`,
      p === 'arch' ? { packager: PACKAGER[p], tuning: { swappiness: 30 } } : { packager: PACKAGER[p] },
    ]),
    ...MACHINES.map((m): [string, Data] => [
      `machines/${m.id}`,
      m.id === RENDERED
        ? { motd: `${m.id} (${m.profile}, ${m.environment})`, tuning: { swappiness: 5 } }
        : { motd: `${m.id} (${m.profile}, ${m.environment})` },
    ]),
    ['users/default', { users: { admin: { shell: '/bin/bash', editor: 'vi' } } }],
    ...users.map((u): [string, Data] => [`users/${u}`, { users: { [u]: ACCOUNTS[u]! } }]),
  ]
}

// ---- the modules --------------------------------------------------------------------------------

interface Module {
  readonly index: number
  readonly name: string
  readonly team: string
  readonly sls: string
  /** The module before it in the same team: its repo is required across SLS. */
  readonly previous: string | undefined
  readonly packages: readonly string[]
  readonly services: readonly { readonly name: string; readonly port: number }[]
  readonly gid: number
  readonly users: readonly { readonly name: string; readonly uid: number }[]
}

/** A machine as Salt sees it: minion id and identity grains. */
export interface BenchMinion {
  readonly id: string
  readonly grains: Readonly<Record<string, string>>
}

/** One generated case on disk. */
export interface BenchCase {
  readonly states: number
  readonly modules: number
  readonly dir: string
  /** The salt-dsl config entry (`config/index.ts`). */
  readonly entry: string
  /** A tsconfig whose only file is the entry: what `tsc --noEmit -p` checks bare. */
  readonly tsconfig: string
  /** The hand-written Salt tree. */
  readonly hand: { readonly fileRoot: string; readonly pillarRoot: string }
  /** The fleet: machines, platforms, environments, profiles and pillar layers of the config. */
  readonly fleet: {
    readonly machines: number
    readonly platforms: number
    readonly environments: number
    readonly profiles: number
    readonly layers: number
  }
  /** The machine Salt renders (its highstate holds every state), with the grains its minion reports. */
  readonly minion: BenchMinion
  /** Every machine of the inventory as a minion (the rendered one first). */
  readonly minions: readonly BenchMinion[]
  /** Pillar keys only the hand-written tree has (the data its Jinja loops over; the config has it in TS). */
  readonly handOnlyPillar: readonly string[]
  /** The config file the watch benchmark edits, and the text it toggles. */
  readonly touch: { readonly file: string; readonly from: string; readonly to: string }
  /** The emitted file that changes when `touch` is applied, and what it then contains. */
  readonly touched: { readonly path: string; readonly contains: string }
  /** A file every config module imports (`base.ts`), so that an edit of it runs them all again; and its SLS. */
  readonly touchShared: { readonly file: string; readonly from: string; readonly to: string }
  readonly touchedShared: { readonly path: string; readonly contains: string }
}

const pad = (n: number, width = 3) => String(n).padStart(width, '0')

function modules(states: number): Module[] {
  if (states < BASE_STATES + STATES_PER_MODULE) {
    throw new Error(`a case needs at least ${BASE_STATES + STATES_PER_MODULE} states (got ${states})`)
  }
  const count = Math.floor((states - BASE_STATES) / STATES_PER_MODULE)
  const extra = states - BASE_STATES - count * STATES_PER_MODULE
  const width = Math.max(3, String(count - 1).length)
  return Array.from({ length: count }, (_, index) => {
    const name = `m${pad(index, width)}`
    const team = `t${pad(Math.floor(index / MODULES_PER_TEAM), Math.max(2, width - 1))}`
    const first = index % MODULES_PER_TEAM === 0
    const packages = PACKAGES + (index === count - 1 ? extra : 0)
    return {
      index,
      name,
      team,
      sls: `fleet.${team}.${name}`,
      previous: first ? undefined : `m${pad(index - 1, width)}`,
      packages: Array.from({ length: packages }, (_, i) => `${name}-${TOOLS[i % TOOLS.length]}-${pad(i, 2)}`),
      services: Array.from({ length: SERVICES }, (_, i) => ({ name: `${name}-svc-${i}`, port: 8000 + i })),
      gid: 20_000 + index * 10,
      users: Array.from({ length: USERS }, (_, i) => ({
        name: `${name}u${i}`,
        uid: 20_000 + index * 10 + 1 + i,
      })),
    }
  })
}

/** The modules of each profile: `full` all of them, `core` the first half, `edge` the rest. */
function profileModules(mods: readonly Module[]): Record<ProfileName, readonly Module[]> {
  const half = Math.ceil(mods.length / 2)
  return { full: mods, core: mods.slice(0, half), edge: mods.slice(half) }
}

/**
 * How a case holds salt-dsl. `package`: as a user's project does, a dependency by name
 * (`node_modules/salt-dsl` links to the checkout `repo`, whose built declarations tsc reads) and a
 * tsconfig of its own. `repo`: inside the checkout, its tsconfig extending the repo's, so tsc also
 * checks the DSL's own sources and Node's typings (as the bundled config is checked).
 */
export type BenchLayout = 'package' | 'repo'

/**
 * Writes case `dir` for `states` states (replacing what was there). `dir` must be inside the salt-dsl
 * checkout `repo` (see BenchLayout).
 */
export function generate(
  states: number,
  dir: string,
  repo: string = process.cwd(),
  layout: BenchLayout = 'package',
): BenchCase {
  const mods = modules(states)
  const layered = layers()
  rmSync(dir, { recursive: true, force: true })
  const files = new Map<string, string>()
  if (layout === 'repo') {
    files.set('tsconfig.json', tsconfig(relative(dir, join(repo, 'tsconfig.json'))))
  } else {
    files.set('tsconfig.json', packageTsconfig())
    files.set(
      'package.json',
      `${JSON.stringify({ name: 'bench-fleet', private: true, type: 'module' }, null, 2)}\n`,
    )
  }
  files.set('config/index.ts', configIndex(mods))
  files.set('config/pillar.ts', configPillar())
  files.set('config/layers.ts', configLayers(layered))
  files.set('config/base.ts', configBase())
  files.set('hand/salt/top.sls', handTop(mods))
  files.set('hand/salt/fleet/base.sls', handBase())
  files.set('hand/pillar/top.sls', handPillarTop(mods, layered))
  for (const [path, data] of layered) files.set(`hand/pillar/${path}.sls`, `${yaml(data).join('\n')}\n`)
  for (const [name, features] of Object.entries(PROFILE_FEATURES)) {
    if (features) files.set(`hand/pillar/profiles/${name}.sls`, `${yaml({ features }).join('\n')}\n`)
  }
  for (const team of new Set(mods.map((m) => m.team))) {
    files.set(`config/teams/${team}/index.ts`, configTeam(mods.filter((m) => m.team === team)))
  }
  for (const m of mods) {
    files.set(`config/teams/${m.team}/${m.name}.ts`, configModule(m))
    files.set(`hand/salt/fleet/${m.team}/${m.name}.sls`, handModule(m))
    files.set(`hand/pillar/fleet/${m.name}.sls`, handPillar(m))
  }
  const dirs = new Set<string>()
  for (const [path, text] of files) {
    const file = join(dir, path)
    if (!dirs.has(dirname(file))) {
      mkdirSync(dirname(file), { recursive: true })
      dirs.add(dirname(file))
    }
    writeFileSync(file, text)
  }
  if (layout === 'package') {
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(repo, join(dir, 'node_modules', 'salt-dsl'))
  }
  const first = mods[0]!
  const minions = [...MACHINES]
    .sort((a, b) => Number(b.id === RENDERED) - Number(a.id === RENDERED))
    .map((m) => ({ id: m.id, grains: OS_GRAINS[m.platform] }))
  return {
    states,
    modules: mods.length,
    dir,
    entry: join(dir, 'config', 'index.ts'),
    tsconfig: join(dir, 'tsconfig.json'),
    hand: { fileRoot: join(dir, 'hand', 'salt'), pillarRoot: join(dir, 'hand', 'pillar') },
    fleet: {
      machines: MACHINES.length,
      platforms: new Set(MACHINES.map((m) => m.platform)).size,
      environments: new Set(MACHINES.map((m) => m.environment)).size,
      profiles: Object.keys(PROFILE_FEATURES).length,
      layers: layered.length + Object.values(PROFILE_FEATURES).filter(Boolean).length,
    },
    minion: minions[0]!,
    minions,
    handOnlyPillar: ['fleet'],
    touch: {
      file: join(dir, 'config', 'teams', first.team, `${first.name}.ts`),
      from: 'port: 8000 }',
      to: 'port: 8100 }',
    },
    touched: { path: `salt/fleet/${first.team}/${first.name}.sls`, contains: 'port = 8100' },
    touchShared: { file: join(dir, 'config', 'base.ts'), from: 'gid: 19999', to: 'gid: 19998' },
    touchedShared: { path: 'salt/fleet/base.sls', contains: '19998' },
  }
}

// ---- the salt-dsl config -------------------------------------------------------------------------

function tsconfig(base: string): string {
  return `${JSON.stringify({ extends: base, files: ['config/index.ts'], include: [] }, null, 2)}\n`
}

/** A user's tsconfig for a config run by Node: `tsc --init`'s strictness, no DOM, no Node typings. */
function packageTsconfig(): string {
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    allowImportingTsExtensions: true,
  }
  return `${JSON.stringify({ compilerOptions, files: ['config/index.ts'] }, null, 2)}\n`
}

const json = (v: unknown) => JSON.stringify(v).replaceAll('"', "'")
/** A TS literal as a person writes it: single quotes, identifier keys bare, spaces after separators. */
function literal(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`
  if (v !== null && typeof v === 'object') {
    const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : `'${k}'`)
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${key(k)}: ${literal(x)}`)
      .join(', ')} }`
  }
  return typeof v === 'string' ? `'${v}'` : String(v)
}

function configIndex(mods: readonly Module[]): string {
  const teams = [...new Set(mods.map((m) => m.team))]
  const machines = MACHINES.map(
    (m) =>
      `    '${m.id}': { platform: '${m.platform}', environment: '${m.environment}', profile: ${m.profile}${m.users.length > 0 ? `, users: ${literal(m.users)}` : ''} },`,
  )
  const features = (p: ProfileName) => {
    const f = PROFILE_FEATURES[p]
    return f ? `, features: ${literal(f)}` : ''
  }
  return [
    `import { inventory, profile } from 'salt-dsl'`,
    `import { base } from './base.ts'`,
    `import './layers.ts'`,
    ...teams.map((t) => `import { modules as ${t} } from './teams/${t}/index.ts'`),
    '',
    `const modules = [${teams.map((t) => `...${t}`).join(', ')}]`,
    'const half = Math.ceil(modules.length / 2)',
    '',
    `const full = profile('full', { sls: [base, ...modules]${features('full')} })`,
    `const core = profile('core', { sls: [base, ...modules.slice(0, half)]${features('core')} })`,
    `const edge = profile('edge', { sls: [base, ...modules.slice(half)]${features('edge')} })`,
    '',
    'inventory({',
    '  machines: {',
    ...machines,
    '  },',
    '})',
    '',
  ].join('\n')
}

function configPillar(): string {
  return `import { pillarSchema, z } from 'salt-dsl'

const account = z.object({ shell: z.string(), editor: z.string() })

export const { pillar, layer } = pillarSchema(
  z.object({
    motd: z.string().min(1),
    packager: z.enum(['apt', 'dnf', 'pacman', 'brew']),
    mirror: z.object({ url: z.url(), gpgcheck: z.boolean() }),
    tuning: z.object({ swappiness: z.number().int().min(0).max(100) }),
    features: z.object({ archives: z.boolean(), monitoring: z.boolean() }),
    ntp: z.object({ servers: z.array(z.string()).min(1) }),
    users: z.record(z.string(), account),
  }),
)
`
}

function configLayers(layered: readonly [string, Data][]): string {
  return [
    `import { layer } from './pillar.ts'`,
    '',
    ...layered.map(([path, data]) => `layer('${path}', ${literal(data)})`),
    '',
  ].join('\n')
}

function configBase(): string {
  return `import { byPlatform, file, group, pkg, service, type StateHandle, sls, when } from 'salt-dsl'
import { pillar } from './pillar.ts'

export let gitPkg!: StateHandle<'pkg'>
export let benchDir!: StateHandle<'file'>

export const base = sls('fleet.base', () => {
  gitPkg = pkg('git')
  pkg('curl')
  pkg(byPlatform({ ubuntu: 'build-essential', debian: 'build-essential', fedora: 'gcc', arch: 'base-devel' }), {
    id: 'toolchain',
  })
  group('bench', { gid: 19999 })
  benchDir = file('/etc/bench', { ensure: 'directory', mode: '0755' })
  file('/etc/motd', { contents: pillar.motd })
  when(pillar.features.monitoring, () => {
    service('node-exporter', { enable: true })
  })
})
`
}

function configTeam(mods: readonly Module[]): string {
  return [
    `import type { SlsHandle } from 'salt-dsl'`,
    ...mods.map((m) => `import { ${m.name} } from './${m.name}.ts'`),
    '',
    `export const modules: SlsHandle[] = [${mods.map((m) => m.name).join(', ')}]`,
    '',
  ].join('\n')
}

/** The one package of a module whose name differs per platform. */
const fdNames = (m: Module) => ({
  ubuntu: `${m.name}-fd-find`,
  debian: `${m.name}-fd-find`,
  fedora: `${m.name}-fd-find`,
  arch: `${m.name}-fd`,
})

function configModule(m: Module): string {
  const imports = [
    'archive',
    'byPlatform',
    'cmd',
    'cron',
    'dotfile',
    'file',
    'git',
    'group',
    'pkg',
    'pkgrepo',
    'service',
    'sls',
    'state',
    'text',
    'user',
    'when',
  ]
  const prev = m.previous
  const services = m.services.map((s) => `  { name: '${s.name}', port: ${s.port} },`).join('\n')
  return `import { ${imports.join(', ')}, type StateHandle } from 'salt-dsl'
import { benchDir, gitPkg } from '../../base.ts'
import { pillar } from '../../pillar.ts'
${prev ? `import { ${prev}Repo } from './${prev}.ts'\n` : ''}
const packages = ${json(m.packages)}
const services = [
${services}
]
const users = ${json(m.users).replaceAll(/'(name|uid)'/g, '$1')}
const dotfiles = ${json(DOTFILES)}

export let ${m.name}Repo!: StateHandle<'pkgrepo'>

export const ${m.name} = sls('${m.sls}', () => {
  const repo = pkgrepo('${m.name}-repo', {
    humanname: '${m.name} tools',
    baseurl: text\`\${pillar.mirror.url}/${m.name}\`,
    gpgcheck: 1,${prev ? `\n    require: [${prev}Repo],` : ''}
  })
  ${m.name}Repo = repo
  const installed = packages.map((name) => pkg(name, { require: [repo] }))
  pkg(byPlatform(${json(fdNames(m))}), { id: '${m.name}-fd', require: [repo] })

  for (const [i, svc] of services.entries()) {
    const conf = file(\`/etc/bench/${m.name}/\${svc.name}.conf\`, {
      contents: \`port = \${svc.port}\\nname = "\${svc.name}"\\n\`,
      mode: '0644',
      makedirs: true,
      require: [installed[i]!, benchDir],
    })
    service(svc.name, { enable: true, watch: [conf] })
    if (i < ${REINDEXES}) cmd(\`/usr/local/bin/${m.name}-reindex \${i}\`, { onchanges: [conf] })
  }

  const team = group('${m.name}-team', { gid: ${m.gid} })
  for (const [i, u] of users.entries()) {
    const account = user(u.name, { uid: u.uid, shell: '/bin/bash', groups: ['${m.name}-team', 'bench'], require: [team] })
    for (const dot of dotfiles) dotfile(dot, { user: u.name, contents: \`# \${u.name} \${dot}\\nexport EDITOR=vim\\n\`, require: [account] })
    cron(\`/usr/local/bin/${m.name}-job-\${i}\`, { user: u.name, hour: 3, minute: i * 5, identifier: \`${m.name}-job-\${i}\`, require: [account] })
    if (i < ${CRONS - USERS}) cron(\`/usr/local/bin/${m.name}-sync-\${i}\`, { user: u.name, special: '@hourly', require: [account] })
  }

  for (let i = 0; i < ${GITS}; i++) {
    git(\`https://git.example.org/${m.name}/r\${i}.git\`, { target: \`/srv/${m.name}/r\${i}\`, rev: 'main', require: [gitPkg] })
  }
  when(pillar.features.archives, () => {
    for (let i = 0; i < ${ARCHIVES}; i++) {
      const unpacked = archive(\`/opt/${m.name}/tool-\${i}\`, {
        source: \`https://dl.example.org/${m.name}/tool-\${i}.tar.gz\`,
        source_hash: 'sha256=${'0'.repeat(64)}',
        enforce_toplevel: false,
      })
      cmd(\`/opt/${m.name}/tool-\${i}/install.sh\`, { creates: \`/opt/${m.name}/tool-\${i}/.installed\`, require: [unpacked] })
    }
  })
  state('sysctl.present', { id: '${m.name}-somaxconn', name: 'net.core.somaxconn', value: ${1024 + m.index} })
  state('sysctl.present', { id: '${m.name}-swappiness', name: 'vm.swappiness', value: pillar.tuning.swappiness })
})
`
}

// ---- the hand-written Salt tree ------------------------------------------------------------------

/** A YAML scalar as a person writes it: plain when that reads back as the same string, else quoted. */
function scalar(v: string | number | boolean): string {
  if (typeof v !== 'string') return String(v)
  const plain = /^[A-Za-z0-9_/][A-Za-z0-9 _./()-]*$/.test(v) && !/ $/.test(v)
  const special = /^(true|false|yes|no|on|off|y|n|null|~|[-+0-9.eE_]+)$/i.test(v)
  return plain && !special ? v : JSON.stringify(v)
}

function yaml(data: Data, indent = ''): string[] {
  const lines: string[] = []
  for (const [key, value] of Object.entries(data)) {
    const k = scalar(key)
    if (Array.isArray(value)) {
      lines.push(`${indent}${k}:`, ...value.map((item: string) => `${indent}  - ${scalar(item)}`))
    } else if (typeof value === 'object') {
      lines.push(`${indent}${k}:`, ...yaml(value as Data, `${indent}  `))
    } else {
      lines.push(`${indent}${k}: ${scalar(value as string | number | boolean)}`)
    }
  }
  return lines
}

/** A top file: targets in order, each with an optional matcher and its SLS (a target may appear once). */
function topFile(entries: readonly { target: string; match?: string; sls: readonly string[] }[]): string {
  const seen = new Set<string>()
  const lines = ['base:']
  for (const e of entries) {
    if (e.sls.length === 0) continue
    if (seen.has(e.target)) throw new Error(`top file target '${e.target}' appears twice`)
    seen.add(e.target)
    lines.push(`  '${e.target}':`)
    if (e.match) lines.push(`    - match: ${e.match}`)
    for (const s of e.sls) lines.push(`    - ${s}`)
  }
  return `${lines.join('\n')}\n`
}

const idsWhere = (pick: (m: BenchMachine) => boolean) =>
  MACHINES.filter(pick)
    .map((m) => m.id)
    .join(',')

function handTop(mods: readonly Module[]): string {
  const byProfile = profileModules(mods)
  return topFile([
    { target: '*', sls: ['fleet.base'] },
    ...(Object.keys(byProfile) as ProfileName[]).map((p) => ({
      target: idsWhere((m) => m.profile === p),
      match: 'list',
      sls: byProfile[p].map((m) => m.sls),
    })),
  ])
}

function handPillarTop(mods: readonly Module[], layered: readonly [string, Data][]): string {
  const sls = (kind: string) =>
    layered.filter(([p]) => p.startsWith(`${kind}/`)).map(([p]) => p.replace('/', '.'))
  const has = (path: string) => layered.some(([p]) => p === path)
  const environments = [...new Set(MACHINES.map((m) => m.environment))]
  const platforms = [...new Set(MACHINES.map((m) => m.platform))]
  return topFile([
    { target: '*', sls: [...sls('defaults'), ...mods.map((m) => `fleet.${m.name}`)] },
    ...(Object.keys(PROFILE_FEATURES) as ProfileName[])
      .filter((p) => PROFILE_FEATURES[p])
      .map((p) => ({ target: idsWhere((m) => m.profile === p), match: 'list', sls: [`profiles.${p}`] })),
    ...environments.map((e) => ({
      target: idsWhere((m) => m.environment === e),
      match: 'list',
      sls: [`environments.${e}`],
    })),
    ...platforms.map((p) => ({ target: `os:${OS_GRAINS[p].os}`, match: 'grain', sls: [`platforms.${p}`] })),
    ...MACHINES.map((m) => ({
      target: m.id,
      sls: [
        ...(has(`machines/${m.id}`) ? [`machines.${m.id}`] : []),
        'users.default',
        ...m.users.map((u) => `users.${u}`),
      ],
    })),
  ])
}

function handBase(): string {
  return `git:
  pkg.installed: []

curl:
  pkg.installed: []

toolchain:
  pkg.installed:
    - name: {{ salt['grains.filter_by']({'Ubuntu': 'build-essential', 'Debian': 'build-essential', 'Fedora': 'gcc', 'Arch': 'base-devel'}, grain='os') }}

bench:
  group.present:
    - gid: 19999

/etc/bench:
  file.directory:
    - mode: '0755'

/etc/motd:
  file.managed:
    - contents: {{ pillar['motd'] | yaml_encode }}
{%- if salt['pillar.get']('features:monitoring') %}

node-exporter:
  service.running:
    - enable: true
{%- endif %}
`
}

function handPillar(m: Module): string {
  const lines = ['fleet:', `  ${m.name}:`, '    packages:']
  for (const p of m.packages) lines.push(`      - ${p}`)
  lines.push('    services:')
  for (const s of m.services) lines.push(`      - name: ${s.name}`, `        port: ${s.port}`)
  lines.push('    users:')
  for (const u of m.users) lines.push(`      - name: ${u.name}`, `        uid: ${u.uid}`)
  lines.push(`    gid: ${m.gid}`, `    somaxconn: ${1024 + m.index}`, '')
  return lines.join('\n')
}

function handModule(m: Module): string {
  const n = m.name
  const fd = Object.entries(fdNames(m))
    .map(([p, name]) => `'${OS_GRAINS[p as Platform].os}': '${name}'`)
    .join(', ')
  return `{%- set m = pillar['fleet']['${n}'] %}
include:
  - fleet.base
${m.previous ? `  - fleet.${m.team}.${m.previous}\n` : ''}
${n}-repo:
  pkgrepo.managed:
    - humanname: ${n} tools
    - baseurl: {{ pillar['mirror']['url'] }}/${n}
    - gpgcheck: 1
${m.previous ? `    - require:\n      - pkgrepo: ${m.previous}-repo\n` : ''}
{%- for p in m.packages %}

{{ p }}:
  pkg.installed:
    - require:
      - pkgrepo: ${n}-repo
{%- endfor %}

${n}-fd:
  pkg.installed:
    - name: {{ salt['grains.filter_by']({${fd}}, grain='os') }}
    - require:
      - pkgrepo: ${n}-repo

{%- for svc in m.services %}

/etc/bench/${n}/{{ svc.name }}.conf:
  file.managed:
    - contents: |
        port = {{ svc.port }}
        name = "{{ svc.name }}"
    - mode: '0644'
    - makedirs: true
    - require:
      - pkg: {{ m.packages[loop.index0] }}
      - file: /etc/bench

{{ svc.name }}:
  service.running:
    - enable: true
    - watch:
      - file: /etc/bench/${n}/{{ svc.name }}.conf
{%- if loop.index0 < ${REINDEXES} %}

/usr/local/bin/${n}-reindex {{ loop.index0 }}:
  cmd.run:
    - onchanges:
      - file: /etc/bench/${n}/{{ svc.name }}.conf
{%- endif %}
{%- endfor %}

${n}-team:
  group.present:
    - gid: {{ m.gid }}

{%- for u in m.users %}
{%- set i = loop.index0 %}

{{ u.name }}:
  user.present:
    - uid: {{ u.uid }}
    - shell: /bin/bash
    - groups:
      - ${n}-team
      - bench
    - require:
      - group: ${n}-team
{%- for dot in ${json(DOTFILES)} %}

{%- set f = '~' ~ u.name ~ "/'" ~ dot ~ "'" %}
~{{ u.name }}/{{ dot }}.pre-dsl:
  cmd.run:
    - name: {{ ('umask 077 && f=' ~ f ~ ' && b="$f.pre-dsl" && t="$b.tmp" && if test -e "$b" && test ! -O "$b"; then head -c "$(wc -c <"$b")" -- "$f" | cmp -s - "$b" || { printf \\'%s\\\\n\\' "$b is not $(id -un)\\'s and not a copy of $f: kept; check it, then remove it or give it to $(id -un)" >&2; exit 1; }; fi && rm -f "$t" && cp -p "$f" "$t" && { sync "$t" 2>/dev/null || :; } && mv -f "$t" "$b"') | yaml_squote }}
    - runas: {{ u.name }}
    - onlyif: {{ ('f=' ~ f ~ '; if test -e "$f"; then test -f "$f"; else d=$f; while ! test -e "$d"; do d=$(dirname -- "$d"); done; ! test -x "$d"; fi') | yaml_squote }}
    - unless: {{ ('f=' ~ f ~ ' && b="$f.pre-dsl" && t="$b.tmp" && test -f "$b" && test ! -L "$b" && test -O "$b"') | yaml_squote }}
    - prereq:
      - file: ~{{ u.name }}/{{ dot }}

~{{ u.name }}/{{ dot }}:
  file.managed:
    - contents: |
        # {{ u.name }} {{ dot }}
        export EDITOR=vim
    - user: {{ u.name }}
    - group: {{ 'staff' if grains['os'] == 'MacOS' else u.name }}
    - mode: '0644'
    - makedirs: true
    - require:
      - user: {{ u.name }}
{%- endfor %}

${n}-job-{{ i }}:
  cron.present:
    - name: /usr/local/bin/${n}-job-{{ i }}
    - user: {{ u.name }}
    - hour: 3
    - minute: {{ i * 5 }}
    - identifier: ${n}-job-{{ i }}
    - require:
      - user: {{ u.name }}
{%- if i < ${CRONS - USERS} %}

/usr/local/bin/${n}-sync-{{ i }}:
  cron.present:
    - user: {{ u.name }}
    - special: '@hourly'
    - require:
      - user: {{ u.name }}
{%- endif %}
{%- endfor %}

{%- for i in range(${GITS}) %}

/srv/${n}/r{{ i }}:
  git.latest:
    - name: https://git.example.org/${n}/r{{ i }}.git
    - target: /srv/${n}/r{{ i }}
    - rev: main
    - require:
      - pkg: git
{%- endfor %}

{%- if salt['pillar.get']('features:archives') %}
{%- for i in range(${ARCHIVES}) %}

/opt/${n}/tool-{{ i }}:
  archive.extracted:
    - source: https://dl.example.org/${n}/tool-{{ i }}.tar.gz
    - source_hash: sha256=${'0'.repeat(64)}
    - enforce_toplevel: false

/opt/${n}/tool-{{ i }}/install.sh:
  cmd.run:
    - creates: /opt/${n}/tool-{{ i }}/.installed
    - require:
      - archive: /opt/${n}/tool-{{ i }}
{%- endfor %}
{%- endif %}

${n}-somaxconn:
  sysctl.present:
    - name: net.core.somaxconn
    - value: {{ m.somaxconn }}

${n}-swappiness:
  sysctl.present:
    - name: vm.swappiness
    - value: {{ salt['pillar.get']('tuning:swappiness') }}
`
}
