// Generates one benchmark case: a salt-dsl config of exactly N states (TypeScript, the way a user writes
// it: data lists and loops, one file per SLS module) and the same states hand-written for Salt (Jinja
// loops over pillar lists, one pillar file per module), so both trees render to the same highstate.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

/** States per generated module (the last module takes the remainder as extra packages). */
export const STATES_PER_MODULE = 100
/** States of `fleet.base`. */
export const BASE_STATES = 4
const MODULES_PER_TEAM = 10
const PACKAGES = 40
const SERVICES = 10
const USERS = 4
const DOTFILES = ['.bashrc', '.profile'] as const
const CRONS = 6
const GITS = 4
const ARCHIVES = 2
const REINDEXES = 2

const TOOLS = ['jq', 'htop', 'tmux', 'ripgrep', 'fd', 'bat', 'curl', 'rsync', 'strace', 'lsof']

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
  /** The config file the watch benchmark edits, and the text it toggles. */
  readonly touch: { readonly file: string; readonly from: string; readonly to: string }
  /** The emitted file that changes when `touch` is applied, and what it then contains. */
  readonly touched: { readonly path: string; readonly contains: string }
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

/**
 * Writes case `dir` for `states` states (replacing what was there). `dir` must be inside the salt-dsl
 * checkout `repo`: the config imports 'salt-dsl' and its tsconfig extends the repo's.
 */
export function generate(states: number, dir: string, repo: string = process.cwd()): BenchCase {
  const mods = modules(states)
  rmSync(dir, { recursive: true, force: true })
  const files = new Map<string, string>()
  files.set('tsconfig.json', tsconfig(relative(dir, join(repo, 'tsconfig.json'))))
  files.set('config/index.ts', configIndex(mods))
  files.set('config/base.ts', configBase())
  files.set('hand/salt/top.sls', handTop(mods))
  files.set('hand/salt/fleet/base.sls', handBase())
  files.set('hand/pillar/top.sls', handPillarTop(mods))
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
  const first = mods[0]!
  return {
    states,
    modules: mods.length,
    dir,
    entry: join(dir, 'config', 'index.ts'),
    tsconfig: join(dir, 'tsconfig.json'),
    hand: { fileRoot: join(dir, 'hand', 'salt'), pillarRoot: join(dir, 'hand', 'pillar') },
    touch: {
      file: join(dir, 'config', 'teams', first.team, `${first.name}.ts`),
      from: 'port: 8000 }',
      to: 'port: 8100 }',
    },
    touched: { path: `salt/fleet/${first.team}/${first.name}.sls`, contains: 'port = 8100' },
  }
}

// ---- the salt-dsl config -------------------------------------------------------------------------

function tsconfig(base: string): string {
  return `${JSON.stringify({ extends: base, files: ['config/index.ts'], include: [] }, null, 2)}\n`
}

function configIndex(mods: readonly Module[]): string {
  const teams = [...new Set(mods.map((m) => m.team))]
  return [
    `import { top } from 'salt-dsl'`,
    `import { base } from './base.ts'`,
    ...teams.map((t) => `import { modules as ${t} } from './teams/${t}/index.ts'`),
    '',
    `top('*', [base])`,
    `top('bench-*', [${teams.map((t) => `...${t}`).join(', ')}])`,
    '',
  ].join('\n')
}

function configBase(): string {
  return `import { file, group, pkg, type StateHandle, sls } from 'salt-dsl'

export let gitPkg!: StateHandle<'pkg'>
export let benchDir!: StateHandle<'file'>

export const base = sls('fleet.base', () => {
  gitPkg = pkg('git')
  pkg('curl')
  group('bench', { gid: 19999 })
  benchDir = file('/etc/bench', { ensure: 'directory', mode: '0755' })
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

const json = (v: unknown) => JSON.stringify(v).replaceAll('"', "'")

function configModule(m: Module): string {
  const imports = [
    'archive',
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
    'user',
  ]
  const prev = m.previous
  const services = m.services.map((s) => `  { name: '${s.name}', port: ${s.port} },`).join('\n')
  return `import { ${imports.join(', ')}, type StateHandle } from 'salt-dsl'
import { benchDir, gitPkg } from '../../base.ts'
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
    baseurl: 'https://repo.example.org/${m.name}',
    gpgcheck: 1,${prev ? `\n    require: [${prev}Repo],` : ''}
  })
  ${m.name}Repo = repo
  const installed = packages.map((name) => pkg(name, { require: [repo] }))

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
  for (let i = 0; i < ${ARCHIVES}; i++) {
    const unpacked = archive(\`/opt/${m.name}/tool-\${i}\`, {
      source: \`https://dl.example.org/${m.name}/tool-\${i}.tar.gz\`,
      source_hash: 'sha256=${'0'.repeat(64)}',
      enforce_toplevel: false,
    })
    cmd(\`/opt/${m.name}/tool-\${i}/install.sh\`, { creates: \`/opt/${m.name}/tool-\${i}/.installed\`, require: [unpacked] })
  }
  state('sysctl.present', { id: '${m.name}-somaxconn', name: 'net.core.somaxconn', value: ${1024 + m.index} })
  state('sysctl.present', { id: '${m.name}-swappiness', name: 'vm.swappiness', value: 10 })
})
`
}

// ---- the hand-written Salt tree ------------------------------------------------------------------

function handTop(mods: readonly Module[]): string {
  return [
    'base:',
    "  '*':",
    '    - fleet.base',
    "  'bench-*':",
    ...mods.map((m) => `    - ${m.sls}`),
    '',
  ].join('\n')
}

function handPillarTop(mods: readonly Module[]): string {
  return ['base:', "  '*':", ...mods.map((m) => `    - fleet.${m.name}`), ''].join('\n')
}

function handBase(): string {
  return `git:
  pkg.installed: []

curl:
  pkg.installed: []

bench:
  group.present:
    - gid: 19999

/etc/bench:
  file.directory:
    - mode: '0755'
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
  return `{%- set m = pillar['fleet']['${n}'] %}
include:
  - fleet.base
${m.previous ? `  - fleet.${m.team}.${m.previous}\n` : ''}
${n}-repo:
  pkgrepo.managed:
    - humanname: ${n} tools
    - baseurl: https://repo.example.org/${n}
    - gpgcheck: 1
${m.previous ? `    - require:\n      - pkgrepo: ${m.previous}-repo\n` : ''}
{%- for p in m.packages %}

{{ p }}:
  pkg.installed:
    - require:
      - pkgrepo: ${n}-repo
{%- endfor %}

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

~{{ u.name }}/{{ dot }}.pre-dsl:
  file.copy:
    - source: ~{{ u.name }}/{{ dot }}
    - force: false
    - user: {{ u.name }}
    - group: {{ u.name }}
    - onlyif: test -f ~{{ u.name }}/'{{ dot }}'
    - unless: test -e ~{{ u.name }}/'{{ dot }}.pre-dsl'
    - prereq:
      - file: ~{{ u.name }}/{{ dot }}

~{{ u.name }}/{{ dot }}:
  file.managed:
    - contents: |
        # {{ u.name }} {{ dot }}
        export EDITOR=vim
    - user: {{ u.name }}
    - group: {{ u.name }}
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

${n}-somaxconn:
  sysctl.present:
    - name: net.core.somaxconn
    - value: {{ m.somaxconn }}

${n}-swappiness:
  sysctl.present:
    - name: vm.swappiness
    - value: 10
`
}
