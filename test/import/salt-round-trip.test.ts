// Round trip on real Salt trees: for each machine, Salt's render of the original tree (show_highstate and
// pillar.items) equals Salt's render of the tree `dsl import salt` wrote and `dsl build` built. The trees are
// fetched at a fixed commit (test/fixtures/import/<tree>/SOURCE): community formulas, each with a top file
// that gives every machine the formula and a pillar top that gives it the formula's pillar.example, and
// personal trees, which bring their own salt/ and pillar/ with their top files.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { GRAINS } from '../support/salt.ts'
import { configSource, expectSameRender, importSalt, useRenderOracle } from './render-oracle.ts'

const FIXTURES = join(REPO, 'test/fixtures/import')
const TREES = readdirSync(FIXTURES).sort()
const MACHINES = { deb: GRAINS.debian, fed: GRAINS.fedora } as const
// ntp's pillar.example is several alternative documents under one key (Salt refuses it): no pillar
const NO_PILLAR = new Set(['ntp-formula'])
// SLS the importer writes as TypeScript (the others are shipped as hand-written Salt, IMPORT-REPORT.md says why)
const TRANSLATED: Readonly<Record<string, readonly string[]>> = {
  'git-formula': ['git.source'],
  'hostsfile-formula': ['hostsfile'],
  // a personal Debian workstation: base includes its parts, each an SLS of its own
  'jacksoncage-workstation': [
    'base.apt',
    'base.packages',
    'base.ntp',
    'base.make',
    'base.sudoers',
    'base.users',
    'base.rsyslog',
    'base.tlp',
    'base.fprint',
    'base.wifi',
    'base.dropbox',
    'base.keepass',
    'base.fswatch',
    'base.node',
    'docker',
    'docker.compose',
    'spotify',
    'dotfiles',
    'clean.apt',
  ],
  // a personal Arch laptop and server tree in plain YAML, its SLS at the root of the tree
  'jsspencer-arch': ['basic', 'cower'],
  // a personal Rocky/Fedora laptop: users, dotfiles, git clones and VS Code per user from a YAML file
  // Jinja imports, most states requiring `- sls: users.create-users` (its handle)
  'kettlewell-laptop': [
    'users.create-users',
    'users.create-groups',
    'users.ssh_config',
    'packages.repos',
    'packages.install_epel',
    'packages.system_packages',
    'packages.install_zoom',
    'packages.enable_snaps',
    'packages.thirdparty-packages',
    'packages.pip_packages',
    'packages.install_golang',
    'packages.install_docker',
    'packages.install_nodejs',
    'git.create_dir',
    'git.early_clone',
    'dotfiles.tmux',
    'dotfiles.xresources',
    'dotfiles.xinitrc',
    'dotfiles.bashrc',
    'dotfiles.aliases',
    'dotfiles.profile',
    'dotfiles.functions',
    'dotfiles.emacs',
    'git.late_clone',
    'cron',
    'vscode.create-dir',
    'vscode.settings',
    'vscode.keybindings',
    'gnome',
  ],
  'locale-formula': ['locale'],
  'ntp-formula': ['ntp'],
  'openssh-formula': ['openssh'],
  'sudoers-formula': ['sudoers'],
  'timezone-formula': ['timezone'],
  'users-formula': ['users.sudo', 'users.googleauth', 'users.user_files', 'users.polkit', 'users'],
  'vim-formula': ['vim'],
}
// each machine's states as [typed builders, state() calls, kept as hand-written Salt] (IMPORT-REPORT.md)
const SHARES: Readonly<Record<string, readonly [number, number, number]>> = {
  'git-formula': [2, 3, 0],
  'hostsfile-formula': [0, 3, 0],
  'jacksoncage-workstation': [39, 10, 7],
  'jsspencer-arch': [7, 0, 0],
  'kettlewell-laptop': [35, 58, 18],
  'locale-formula': [2, 5, 0],
  'ntp-formula': [1, 2, 0],
  'openssh-formula': [1, 1, 0],
  'sudoers-formula': [1, 1, 0],
  'timezone-formula': [3, 1, 0],
  'tmux-formula': [0, 0, 2],
  'users-formula': [28, 27, 0],
  'vim-formula': [1, 1, 0],
}
// users-formula renders 4 states fewer on Fedora (its googleauth SLS is Debian's only)
const FEDORA_SHARES: Readonly<Record<string, readonly [number, number, number]>> = {
  'users-formula': [26, 25, 0],
}
// what the TypeScript of a translated SLS holds: the typed builder where one writes the state, handles
const SOURCE: Readonly<Record<string, readonly (string | RegExp)[]>> = {
  'locale-formula': [
    /const s3 = pkg\('dbus', \{\s+id: 'dbus_for_locale',\s+require_in: \[\(\) => s5\],\s+\}\)/,
    /service\('dbus', \{\s+id: s3,\s+enable: true,\s+require: \[s3\],/,
    // a per-os package list would be pkg()'s name, not its `pkgs`: state()
    /state\('pkg.installed', \{\s+id: 'locale_pkgs',\s+pkgs: byPlatform\(/,
    "state('locale.system', {",
  ],
  'timezone-formula': [/pkg\('tzdata', \{\s+id: 'timezone_packages',/, /service\('dbus', \{/],
  // a requisite naming its state by name (Salt finds it so) is byName() of the handle
  'openssh-formula': [
    /service\.running', \{\s+id: s0,\s+enable: true,\s+name: byPlatform\(/,
    'require: [byName(s0)],',
  ],
  // state() keeps Salt's order of arguments and requisites, and a `name` equal to the ID
  'git-formula': [
    /state\('pkg\.removed', \{\s+id: 'git',\s+name: 'git',/,
    /cwd: '\/usr\/local\/src\/git-1\.8\.4\.2',\s+name: 'make[^\n]+\n\s+watch: \[s2\],\s+require: \[s2\],/,
  ],
  // `- user: james` names the state 'user accounts' of SLS basic by its name, which Salt renders first
  'jsspencer-arch': ['require: [s0, byName(basic.userUserAccounts)],'],
  // a requisite on a whole SLS (`- sls: users.create-users`) is that SLS's handle
  'kettlewell-laptop': [
    /file\('\/home\/matt\/\.tmux\.conf', \{\s+require: \[usersCreateUsers\],\s+source: 'salt:\/\/dotfiles\/files\/matt\/tmux_conf',\s+user: 'matt',\s+group: 'matt',\s+mode: octal\(644\),/,
    'require: [usersCreateUsers, vscodeCreateDir],',
  ],
  // a YAML integer mode is octal(), emitted as that integer
  'sudoers-formula': ['mode: octal(440),'],
  'vim-formula': [/mode: octal\(644\),\s+makedirs: true,\s+require: \[s0\],\s+defaults: \{/],
  // a pillar key holding ':' (git's url.<base>.insteadOf) is quoted in the layer and the schema
  'users-formula': [
    "'url.https://.insteadOf': 'git://'",
    "'url.https://.insteadOf': z.string()",
    // its include (each item under an if the pillar decides) is Salt's render on each machine, the same on both
    '}, { include: [usersSudo, usersGoogleauth, usersUser_files, usersPolkit] })',
    // Salt binds `file: /etc/sudoers.d/buser` to both file states named so: byName() names both
    /onchanges: \[byName\((s\d+), \1\)\]|onchanges: \[byName\(s\d+, s\d+\)\]/,
  ],
}
// reasons some kept SLS are kept (IMPORT-REPORT.md): every one for the SLS listed in `exactly`, among them for
// those in `among`, none of `absent`. An include (one Jinja decides too) and a requisite on a state of an
// included SLS no longer keep an SLS: a state named by its name, and the forms salt-dsl writes one way only
// (mode, name first) do
const KEPT: Readonly<
  Record<
    string,
    {
      exactly?: Record<string, readonly string[]>
      among?: Record<string, readonly string[]>
      absent?: Record<string, readonly string[]>
    }
  >
> = {
  // a YAML mapping with `name` twice: Salt keeps both in its render, a TypeScript object holds one
  'tmux-formula': { exactly: { tmux: ["'tmux_conf': argument 'name' is given twice"] } },
  // `- context:` with its keys beside it, not under it: one item holding several arguments
  'kettlewell-laptop': {
    exactly: {
      'users.ssh_keys': ["'matt-ssh_key': one item holds the arguments 'context', 'ssh_keys'"],
      'vscode.install-extensions': [
        "'manage_file_matt-install_vscode_extensions.sh': one item holds the arguments 'context', 'vscode_extensions', 'user'",
      ],
    },
  },
  // alternatives moved out of Salt (an extension now): state() takes only the pinned Salt's functions
  'jacksoncage-workstation': {
    exactly: {
      'base.vim': ['vi', 'vim', 'editor'].map(
        (a) =>
          `'/base/vim/alternatives/${a}' (alternatives): alternatives.install is not a state function of Salt 3008.4`,
      ),
    },
  },
}

const render = useRenderOracle()

/** The fixture as a Salt tree and a pillar tree with top files (a personal tree's own, or a formula's). */
function assemble(tree: string) {
  const from = join(FIXTURES, tree)
  const dir = tempDir()
  const salt = join(dir, 'salt')
  const pillar = join(dir, 'pillar')
  if (existsSync(join(from, 'salt', 'top.sls'))) {
    cpSync(join(from, 'salt'), salt, { recursive: true })
    cpSync(join(from, 'pillar'), pillar, { recursive: true })
    return { dir, salt, pillar }
  }
  const formula = readdirSync(from).find((n) => !['LICENSE', 'SOURCE', 'pillar.example'].includes(n))!
  cpSync(join(from, formula), join(salt, formula), { recursive: true })
  mkdirSync(pillar)
  writeFileSync(join(salt, 'top.sls'), `base:\n  '*':\n    - ${formula}\n`)
  writeFileSync(join(pillar, 'top.sls'), `base:\n  '*':\n    - ${formula}\n`)
  if (!NO_PILLAR.has(tree))
    writeFileSync(join(pillar, `${formula}.sls`), readFileSync(join(from, 'pillar.example')))
  else writeFileSync(join(pillar, `${formula}.sls`), '{}\n')
  return { dir, salt, pillar }
}

/** Each kept SLS's reasons in an IMPORT-REPORT.md (its own list, or the one reason the table gives). */
function keptReasons(report: string): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const m of report.matchAll(/^\| SLS (\S+) \| kept \| (.*) \|$/gm)) {
    const name = m[1] as string
    const block = report.split(`\nSLS ${name}:\n`)[1]?.split('\n\n')[0]
    out[name] = block?.split('\n').flatMap((l) => (l.startsWith('- ') ? [l.slice(2)] : [])) ?? [
      m[2] as string,
    ]
  }
  return out
}

describe('dsl import salt: round trip on real formulas and personal trees', () => {
  it.each(TREES)('%s: Salt renders the imported tree as the original on Debian and Fedora', async (tree) => {
    // GIVEN a formula with its pillar.example, WHEN imported for two machines and built
    const { dir, salt, pillar } = assemble(tree)
    const to = join(dir, 'config')
    importSalt(salt, pillar, to, MACHINES)
    const report = readFileSync(join(to, 'IMPORT-REPORT.md'), 'utf8')
    const translated = [...report.matchAll(/^\| SLS (\S+) \| translated \|/gm)].map((m) => m[1])
    expect(translated).toEqual(TRANSLATED[tree] ?? [])
    const shares = Object.fromEntries(
      [...report.matchAll(/^\| (deb|fed) \| \d+ \| (\d+) \(.*?\) \| (\d+) \(.*?\) \| (\d+) \(/gm)].map(
        (m) => [m[1], [Number(m[2]), Number(m[3]), Number(m[4])]],
      ),
    )
    expect(shares).toEqual({ deb: SHARES[tree], fed: FEDORA_SHARES[tree] ?? SHARES[tree] })
    const reasons = keptReasons(report)
    for (const [sls, expected] of Object.entries(KEPT[tree]?.exactly ?? {}))
      expect(reasons[sls], sls).toEqual(expected)
    for (const [sls, expected] of Object.entries(KEPT[tree]?.among ?? {}))
      for (const reason of expected) expect(reasons[sls], sls).toContain(reason)
    for (const [sls, absent] of Object.entries(KEPT[tree]?.absent ?? {}))
      for (const reason of absent) expect(reasons[sls], sls).not.toContain(reason)
    // one module per translated SLS (users and users.user_files include each other: one module)
    if (tree === 'users-formula')
      expect(readdirSync(join(to, 'states')).sort()).toEqual([
        'users.googleauth.ts',
        'users.polkit.ts',
        'users.sudo.ts',
        'users.ts',
      ])
    const source = configSource(to)
    for (const expected of SOURCE[tree] ?? [])
      if (typeof expected === 'string') expect(source).toContain(expected)
      else expect(source).toMatch(expected)
    const out = join(dir, 'out')
    const built = dsl(['build', to, '--out', out])
    expect(built.status, built.stdout + built.stderr).toBe(0)
    // THEN each machine's highstate and pillar are Salt's render of the original
    for (const [id, grains] of Object.entries(MACHINES)) {
      const theirs = await render(id, grains, salt, pillar)
      expect(theirs.highstate, `${tree} renders on ${id}`).toBeTypeOf('object')
      const ours = await render(id, grains, join(out, 'salt'), join(out, 'pillar'))
      expect(ours, `${tree} on ${id}`).toEqual(theirs)
    }
  })
})

describe('dsl import salt: states Salt renders per machine', () => {
  it('an argument that differs per os becomes byPlatform, a requisite a handle, each state its builder, and Salt renders both alike', async () => {
    // GIVEN an SLS whose package name Jinja picks by the os grain, and a file requiring the package
    const dir = tempDir()
    const salt = join(dir, 'salt')
    const pillar = join(dir, 'pillar')
    mkdirSync(join(salt, 'editor'), { recursive: true })
    mkdirSync(pillar)
    writeFileSync(join(salt, 'top.sls'), "base:\n  '*':\n    - editor\n")
    writeFileSync(join(pillar, 'top.sls'), 'base: {}\n')
    writeFileSync(
      join(salt, 'editor', 'init.sls'),
      [
        'editor:',
        '  pkg.installed:',
        "    - name: {{ 'vim-nox' if grains['os'] == 'Debian' else 'vim-enhanced' }}",
        '    - refresh: false',
        'editor_config:',
        '  file.managed:',
        '    - name: /etc/vimrc.local',
        "    - contents: 'set number'",
        '    - require:',
        '      - pkg: editor',
        '',
      ].join('\n'),
    )
    // WHEN imported for a Debian and a Fedora machine, and built
    const to = join(dir, 'config')
    importSalt(salt, pillar, to, MACHINES)
    const source = configSource(to)
    // the typed builders, since they write these states exactly as Salt rendered them
    expect(source).toMatch(
      /const s0 = pkg\(byPlatform\(\{\s+os: \{\s+Debian: 'vim-nox',\s+Fedora: 'vim-enhanced',\s+\},\s+\}\), \{\s+id: 'editor',\s+refresh: false,/,
    )
    expect(source).toMatch(
      /file\('\/etc\/vimrc.local', \{\s+id: 'editor_config',\s+contents: 'set number',\s+require: \[s0\],/,
    )
    // THEN Salt renders the built tree as the original on both
    await expectSameRender(render, MACHINES, { salt, pillar }, to)
  })

  it('a requisite on a whole SLS is its handle when that SLS is translated, and keeps the SLS when it stays Salt', async () => {
    // GIVEN `- sls: users` (translated) and `- sls: editors` (kept: alternatives is not in the pinned Salt),
    // each SLS included by the one requiring it
    const dir = tempDir()
    const salt = join(dir, 'salt')
    const pillar = join(dir, 'pillar')
    const write = (sls: string, lines: string[]) => {
      mkdirSync(join(salt, sls), { recursive: true })
      writeFileSync(join(salt, sls, 'init.sls'), `${lines.join('\n')}\n`)
    }
    mkdirSync(pillar)
    write('users', ['alice:', '  user.present:', '    - shell: /bin/bash'])
    writeFileSync(join(salt, 'top.sls'), "base:\n  '*':\n    - dotfiles\n    - vimrc\n")
    writeFileSync(join(pillar, 'top.sls'), 'base: {}\n')
    write('editors', [
      'vi:',
      '  alternatives.install:',
      '    - link: /usr/bin/vi',
      '    - path: /usr/bin/nvim',
      '    - priority: 60',
    ])
    const requiring = (sls: string, path: string) => [
      'include:',
      `  - ${sls}`,
      `${path}:`,
      '  file.managed:',
      '    - require:',
      `      - sls: ${sls}`,
      "    - contents: 'set number'",
    ]
    write('dotfiles', requiring('users', '/home/alice/.bashrc'))
    write('vimrc', requiring('editors', '/home/alice/.vimrc'))
    // WHEN imported for Debian and Fedora, and built
    const to = join(dir, 'config')
    importSalt(salt, pillar, to, MACHINES)
    const report = readFileSync(join(to, 'IMPORT-REPORT.md'), 'utf8')
    const source = configSource(to)
    // THEN the SLS requiring users names its handle; the one requiring editors stays Salt with editors, as
    // salt-dsl's requisite on an SLS binds only the states its TypeScript declares
    expect(source).toMatch(
      /file\('\/home\/alice\/\.bashrc', \{\s+require: \[users\],\s+contents: 'set number',/,
    )
    expect(keptReasons(report)).toEqual({
      editors: ["'vi' (alternatives): alternatives.install is not a state function of Salt 3008.4"],
      vimrc: ['it names {"sls":"editors"} whole, an SLS that stays Salt'],
    })
    await expectSameRender(render, MACHINES, { salt, pillar }, to)
  })
})
