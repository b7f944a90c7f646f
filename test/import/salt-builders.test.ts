// `dsl import salt` writes each state with its typed builder (pkg, group, user, file, cmd, service, cron)
// when the builder emits it exactly as Salt rendered it, state() otherwise, requisites as handles (a thunk
// for the `_in` forms, which name a state further down), and states only some machines have under when()
// on their os grain. Round trip: Salt renders the built tree as the original on a Debian and a Fedora
// machine.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'
import { GRAINS } from '../support/salt.ts'
import { configSource, importSalt, useRenderOracle } from './render-oracle.ts'

const MACHINES = { deb: GRAINS.debian, fed: GRAINS.fedora } as const

const render = useRenderOracle()

const APP_SLS = `tools:
  pkg.installed:
    - pkgs:
      - git
      - curl
    - refresh: false
ripgrep:
  pkg.latest: []
telnet:
  pkg.removed: []
deploy:
  group.present:
    - gid: 2001
  user.present:
    - uid: 2001
    - home: /srv/deploy
    - shell: /bin/bash
    - groups:
      - deploy
    - require:
      - group: deploy
/srv/deploy/app:
  file.directory:
    - user: deploy
    - mode: '0750'
    - makedirs: true
    - require:
      - user: deploy
/srv/deploy/current:
  file.symlink:
    - target: /srv/deploy/app
app_config:
  file.managed:
    - name: /srv/deploy/app/config.ini
    - source: salt://app/config.ini
    - template: jinja
    - context:
        port: 8080
    - watch_in:
      - service: app_service
migrate:
  cmd.run:
    - name: /srv/deploy/app/migrate
    - cwd: /srv/deploy/app
    - unless: grep -q '^done\\s' /srv/deploy/app/.migrated
    - require:
      - file: app_config
app_service:
  service.running:
    - name: app
    - enable: true
nightly:
  cron.present:
    - name: /srv/deploy/app/backup
    - user: deploy
    - hour: 3
    - minute: 0
reload:
  cmd.wait:
    - name: systemctl daemon-reload
    - watch:
      - file: app_config
`

/** The tree with `app/init.sls` imported for the machines; the import's stdout and the config's index.ts. */
function importApp(
  sls: string,
  files: Readonly<Record<string, string>> = {},
  machineGrains: Readonly<Record<string, Record<string, unknown>>> = MACHINES,
) {
  const dir = tempDir()
  const salt = join(dir, 'salt')
  const pillar = join(dir, 'pillar')
  mkdirSync(join(salt, 'app'), { recursive: true })
  mkdirSync(pillar)
  writeFileSync(join(salt, 'top.sls'), "base:\n  '*':\n    - app\n")
  writeFileSync(join(pillar, 'top.sls'), 'base: {}\n')
  writeFileSync(join(salt, 'app', 'init.sls'), sls)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(salt, 'app', name), text)
  const to = join(dir, 'config')
  const imported = importSalt(salt, pillar, to, machineGrains)
  return {
    machineGrains,
    dir,
    salt,
    pillar,
    to,
    stdout: imported.stdout,
    source: configSource(to),
  }
}

/** Builds the imported config; Salt renders it as the original on each machine. */
async function expectRoundTrip(t: ReturnType<typeof importApp>, states: Readonly<Record<string, number>>) {
  const out = join(t.dir, 'out')
  const built = dsl(['build', t.to, '--out', out])
  expect(built.status, built.stdout + built.stderr).toBe(0)
  for (const [id, grains] of Object.entries(t.machineGrains)) {
    const theirs = await render(id, grains, t.salt, t.pillar)
    expect(Object.keys(theirs.highstate as object)).toHaveLength(states[id] ?? -1)
    const ours = await render(id, grains, join(out, 'salt'), join(out, 'pillar'))
    expect(ours, id).toEqual(theirs)
  }
}

const PER_MACHINE_SLS = `editor:
  pkg.installed:
    - name: {{ 'vim-nox' if grains['os'] == 'Debian' else 'vim-enhanced' }}
{% if grains['os'] == 'Debian' %}
apt_tools:
  pkg.installed:
    - pkgs:
      - apt-file
    - require:
      - pkg: editor
apt_file_update:
  cmd.run:
    - name: apt-file update
    - onchanges:
      - pkg: apt_tools
{% endif %}
{{ '/etc/vim/vimrc.local' if grains['os'] == 'Debian' else '/etc/vimrc.local' }}:
  file.managed:
    - contents: set number
    - require:
      - pkg: editor
`

describe('dsl import salt: typed builders', () => {
  it('writes each state with the builder that emits it exactly, state() where none does, and Salt renders it as the original', async () => {
    // GIVEN an SLS of states most builders write, one they do not (cmd.wait), requisites both ways
    // WHEN imported for a Debian and a Fedora machine
    const t = importApp(APP_SLS, { 'config.ini': 'port = {{ port }}\n' })
    expect(t.stdout).toContain('deb: 11 builder (92%), 1 state() (8%), 0 kept (0%)')
    const source = t.source
    // THEN each state is its builder's call, with only the options that differ from the builder's defaults
    for (const call of [
      /pkg\(\[\s+'git',\s+'curl',\s+\], \{\s+id: 'tools',\s+refresh: false,\s+\}\)/,
      /pkg\('ripgrep', \{\s+ensure: 'latest',\s+\}\)/,
      /pkg\('telnet', \{\s+ensure: 'removed',\s+\}\)/,
      /const (s\d+) = group\('deploy', \{\s+gid: 2001,\s+\}\)\n\s+const (s\d+) = user\('deploy', \{\s+id: \1,\s+uid: 2001,[^}]+require: \[\1\],/,
      /file\('\/srv\/deploy\/app', \{\s+ensure: 'directory',\s+user: 'deploy',\s+mode: '0750',\s+makedirs: true,\s+require: \[s\d+\],/,
      /file\('\/srv\/deploy\/current', \{\s+ensure: 'symlink',\s+target: '\/srv\/deploy\/app',\s+\}\)/,
      /file\('\/srv\/deploy\/app\/config.ini', \{\s+id: 'app_config',\s+source: 'salt:\/\/app\/config.ini',\s+template: 'jinja',\s+context: \{\s+port: 8080,\s+\},\s+watch_in: \[\(\) => s\d+\],/,
      /cmd\('\/srv\/deploy\/app\/migrate', \{\s+id: 'migrate',\s+cwd: '\/srv\/deploy\/app',/,
      /service\('app', \{\s+id: 'app_service',\s+enable: true,\s+\}\)/,
      /cron\('\/srv\/deploy\/app\/backup', \{\s+id: 'nightly',\s+user: 'deploy',\s+hour: 3,\s+minute: 0,\s+\}\)/,
      /state\('cmd.wait', \{\s+id: 'reload',\s+name: 'systemctl daemon-reload',\s+watch: \[s\d+\],/,
    ])
      expect(source).toMatch(call)
    // AND Salt renders the built tree as the original
    await expectRoundTrip(t, { deb: 11, fed: 11 })
  })

  it('declares states only some machines have under when() on their os grain, and Salt renders it as the original', async () => {
    // GIVEN an SLS whose Jinja gives Debian two more states and each os its own file ID
    // WHEN imported for a Debian and a Fedora machine
    const t = importApp(PER_MACHINE_SLS)
    expect(t.stdout).toContain('deb: 4 builder (100%), 0 state() (0%), 0 kept (0%)')
    expect(t.stdout).toContain('fed: 2 builder (100%), 0 state() (0%), 0 kept (0%)')
    // THEN Debian's states are one when() block (a requisite inside it names its handle), Fedora's another
    expect(t.source).toMatch(
      /when\(eq\(grains\.os, 'Debian'\), \(\) => \{\s+const (s\d+) = pkg\(\[\s+'apt-file',\s+\], \{\s+id: 'apt_tools',\s+require: \[s0\],\s+\}\)\s+cmd\('apt-file update', \{\s+id: 'apt_file_update',\s+onchanges: \[\1\],\s+\}\)\s+file\('\/etc\/vim\/vimrc.local', \{\s+contents: 'set number',\s+require: \[s0\],\s+\}\)\s+\}\)\s+when\(eq\(grains\.os, 'Fedora'\), \(\) => \{\s+file\('\/etc\/vimrc.local', \{/,
    )
    await expectRoundTrip(t, { deb: 4, fed: 2 })
  })

  it('writes a state that differs per machine beyond values once per group of machines, each copy under when(), and Salt renders it as the original', async () => {
    // GIVEN states Salt renders differently per machine: a package Debian and Ubuntu have under a name of
    // each (byPlatform would have to cover Fedora), a command naming it, a function per os, a requisite per
    // os; a state Debian and Ubuntu have alike; and an SLS naming the package from outside
    const sls = `include:
  - app.extra
editor:
  pkg.installed: []
{% if grains['os_family'] == 'Debian' %}
apt_dir:
  file.directory:
    - name: /var/cache/apt-tools
apt_tools:
  pkg.installed:
    - name: {{ 'apt-file' if grains['os'] == 'Debian' else 'apt-file-ubuntu' }}
    - require:
      - file: apt_dir
apt_file_update:
  cmd.run:
    - name: apt-file update
    - onchanges:
      - pkg: apt_tools
{% endif %}
editor_service:
  service.{{ 'running' if grains['os'] == 'Fedora' else 'dead' }}:
    - name: editor-daemon
    - require:
      - pkg: editor
editor_conf:
  file.managed:
    - name: /etc/editor.conf
    - contents: set number
    - require:
      - pkg: {{ 'apt_tools' if grains['os_family'] == 'Debian' else 'editor' }}
`
    const extra = `{% if grains['os_family'] == 'Debian' %}
extra_tool:
  pkg.installed:
    - require:
      - pkg: apt_tools
{% endif %}
`
    // WHEN imported for three machines
    const machines = { deb: GRAINS.debian, ubu: GRAINS.ubuntu, fed: GRAINS.fedora }
    const t = importApp(sls, { 'extra.sls': extra }, machines)
    const report = readFileSync(join(t.to, 'IMPORT-REPORT.md'), 'utf8')
    // THEN the SLS is TypeScript: what Debian and Ubuntu have alike is one when(), each machine's copies another
    expect(report).toMatch(/^\| SLS app \| translated \|/m)
    expect(t.stdout).toContain('deb: 6 builder (86%), 0 state() (0%), 1 kept (14%)')
    expect(t.stdout).toContain('fed: 3 builder (100%), 0 state() (0%), 0 kept (0%)')
    expect(t.source).toMatch(
      /let (s\d+)!: StateHandle\s+const s0 = pkg\('editor'\)\s+when\(oneOf\(grains\.os, \['Debian', 'Ubuntu'\]\), \(\) => \{\s+\1 = file\('\/var\/cache\/apt-tools', \{\s+id: 'apt_dir',/,
    )
    for (const os of ['Debian', 'Ubuntu'])
      expect(t.source).toMatch(
        new RegExp(
          `when\\(eq\\(grains\\.os, '${os}'\\), \\(\\) => \\{\\s+const (s\\d+) = pkg\\('apt-file[^']*', \\{\\s+id: 'apt_tools',\\s+require: \\[s\\d+\\],\\s+\\}\\)\\s+cmd\\('apt-file update', \\{\\s+id: 'apt_file_update',\\s+onchanges: \\[\\1\\],`,
        ),
      )
    expect(t.source).toMatch(/when\(eq\(grains\.os, 'Fedora'\), \(\) => \{\s+service\('editor-daemon', \{/)
    // the other SLS has no one handle to name: kept, with the reason
    expect(report).toContain(
      `| SLS app.extra | kept | it names {"pkg":"apt_tools"}, a state SLS 'app' writes once per group of machines |`,
    )
    // AND Salt renders the built tree as the original on each machine
    await expectRoundTrip(t, { deb: 7, ubu: 7, fed: 3 })
  })

  it('writes each machine its own states when Salt renders them in another order per machine, and it renders as the original', async () => {
    const t = importApp(`{% if grains['os'] == 'Debian' %}
a:
  pkg.installed: []
b:
  pkg.installed:
    - require:
      - pkg: a
{% else %}
b:
  pkg.installed: []
a:
  pkg.installed:
    - require:
      - pkg: b
{% endif %}
`)
    expect(t.stdout).toContain('deb: 2 builder (100%), 0 state() (0%), 0 kept (0%)')
    expect(t.source).toMatch(
      /when\(eq\(grains\.os, 'Debian'\), \(\) => \{\s+const (s\d+) = pkg\('a'\)\s+pkg\('b', \{\s+require: \[\1\],[\s\S]+when\(eq\(grains\.os, 'Fedora'\), \(\) => \{\s+const (s\d+) = pkg\('b'\)\s+pkg\('a', \{\s+require: \[\2\],/,
    )
    await expectRoundTrip(t, { deb: 2, fed: 2 })
  })

  it('tells machines sharing an os grain apart by their minion ID (when() on grains.id), and Salt renders it as the original', async () => {
    // GIVEN two Debian machines whose role grain gives one a package more and each its own motd
    const t = importApp(
      `base_pkg:
  pkg.installed: []
editor:
  pkg.installed:
    - name: {{ 'vim' if grains['os'] == 'Debian' else 'vim-enhanced' }}
{% if grains.get('role') == 'web' %}
nginx:
  pkg.installed:
    - require:
      - pkg: base_pkg
{% endif %}
motd:
  file.managed:
    - name: /etc/motd
    - contents: {{ grains.get('role', 'none') }}
`,
      {},
      { web: { ...GRAINS.debian, role: 'web' }, db: { ...GRAINS.debian, role: 'db' }, fed: GRAINS.fedora },
    )
    // THEN what differs between the two is under when() on each machine's ID (byPlatform could not tell
    // them apart); a value per os is still byPlatform
    expect(t.stdout).toContain('web: 4 builder (100%), 0 state() (0%), 0 kept (0%)')
    expect(t.source).toMatch(
      /pkg\(byPlatform\(\{\s+os: \{\s+Debian: 'vim',\s+Fedora: 'vim-enhanced',\s+\},\s+\}\), \{\s+id: 'editor',/,
    )
    expect(t.source).toMatch(
      /const (s\d+) = pkg\('base_pkg'\)[\s\S]+?when\(eq\(grains\.id, 'web'\), \(\) => \{\s+pkg\('nginx', \{\s+require: \[\1\],\s+\}\)\s+file\('\/etc\/motd', \{\s+id: 'motd',\s+contents: 'web',/,
    )
    expect(t.source).toMatch(
      /when\(eq\(grains\.id, 'db'\), \(\) => \{\s+file\('\/etc\/motd', \{\s+id: 'motd',\s+contents: 'db',/,
    )
    await expectRoundTrip(t, { web: 4, db: 3, fed: 3 })
  })

  it('writes a state before the one it requires when Salt has it so (an SLS lists states as declared), and it renders as the original', async () => {
    // GIVEN a package requiring a directory written after it
    const t = importApp(`tools:
  pkg.installed:
    - require:
      - file: tools_dir
tools_dir:
  file.directory:
    - name: /srv/tools
`)
    // THEN the package is declared first, naming the directory through a thunk, and the tree renders as the
    // original (Salt numbers the states as written: the package 1, the directory 2)
    expect(t.source).toMatch(
      /pkg\('tools', \{\s+require: \[\(\) => s1\],\s+\}\)\s+const s1 = file\('\/srv\/tools', \{\s+id: 'tools_dir',\s+ensure: 'directory',/,
    )
    expect(t.stdout).toContain('deb: 2 builder (100%), 0 state() (0%), 0 kept (0%)')
    await expectRoundTrip(t, { deb: 2, fed: 2 })
  })

  it("writes a state's own order as its order option (Salt numbers only the others), and it renders as the original", async () => {
    const t = importApp(
      'editor:\n  pkg.installed:\n    - refresh: false\n    - order: 1\nother:\n  pkg.installed: []\nlast_one:\n  cmd.run:\n    - name: echo done\n    - order: last\n',
    )
    expect(t.source).toMatch(/pkg\('editor', \{\s+refresh: false,\s+order: 1,\s+\}\)\s+pkg\('other'\)/)
    expect(t.source).toMatch(/cmd\('echo done', \{\s+id: 'last_one',\s+order: 'last',\s+\}\)/)
    await expectRoundTrip(t, { deb: 3, fed: 3 })
  })
})
