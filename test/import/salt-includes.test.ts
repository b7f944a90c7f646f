// `dsl import salt` translates SLS that include others and name their states: the file's `include:` becomes
// the `include` option, a requisite on a state of a translated SLS that SLS's returned handle (declared
// before a when() when the state is in one), one on hand-written Salt an external() handle. What cannot be
// written exactly is kept, with the reason: a requisite on a state of an SLS that the file does not include
// and Salt renders after it (the include salt-dsl adds would render it earlier). A requisite naming a state by
// its name is byName() of its handle; an include Jinja decides is written as Salt renders it on each machine
// (see jinja-includes.test.ts). Round trip: Salt renders the built tree as the original on a Debian and a
// Fedora machine.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl } from '../support/cli.ts'
import { GRAINS } from '../support/salt.ts'
import { configSource, importSalt, siteTree, useRenderOracle } from './render-oracle.ts'

const MACHINES = { deb: GRAINS.debian, fed: GRAINS.fedora } as const

const render = useRenderOracle()

const SITE: Readonly<Record<string, string>> = {
  // translated: a state other SLS name, and one only Debian has that another SLS names too
  'base.sls': `base-tools:
  pkg.installed:
    - pkgs:
      - git
    - refresh: false
{% if grains['os'] == 'Debian' %}
apt-helper:
  pkg.installed:
    - pkgs:
      - apt-file
{% endif %}
`,
  // kept (an argument given twice, which no TypeScript object holds): reached through external()
  'legacy.sls': `legacy-conf:
  file.managed:
    - name: /etc/legacy.conf
    - contents: legacy
    - mode: 644
    - mode: 640
`,
  // translated: includes both, names their states, a prereq on a state further down, "include" in a value
  'app.sls': `include:
  - site.base
  - site.legacy

app-backup:
  cmd.run:
    - name: cp /etc/app.conf /etc/app.conf.bak
    - prereq:
      - file: app-conf
app-conf:
  file.managed:
    - name: /etc/app.conf
    - contents: '@include common-auth'
    - require:
      - pkg: base-tools
      - file: legacy-conf
{% if grains['os'] == 'Debian' %}
apt-index:
  cmd.run:
    - name: apt-file update
    - onchanges:
      - pkg: apt-helper
{% endif %}
`,
  // translated: names states of site.base and site.legacy without including them (Salt renders them first)
  'loose.sls': `loose-dir:
  file.directory:
    - name: /srv/loose
    - require:
      - pkg: base-tools
    - watch_in:
      - file: legacy-conf
`,
  // kept: names a state of site.late, which it does not include and the top has Salt render after it
  'early.sls': `early-file:
  file.managed:
    - name: /etc/early.conf
    - contents: early
    - require:
      - file: late-file
`,
  'late.sls': `late-file:
  file.managed:
    - name: /etc/late.conf
    - contents: late
`,
  // translated: names a state by its name (byName())
  'byname.sls': `byname-pkg:
  pkg.installed:
    - name: rsync
byname-conf:
  file.managed:
    - name: /etc/rsyncd.conf
    - contents: ''
    - require:
      - pkg: rsync
`,
  // translated: what it includes is Jinja's decision, written under when() on Debian's os grain
  'jinja.sls': `{% if grains['os'] == 'Debian' %}
include:
  - site.legacy
{% endif %}
jinja-file:
  file.managed:
    - name: /etc/jinja.conf
    - contents: x
`,
}

describe('dsl import salt: include and requisites across SLS', () => {
  it('translates an SLS that includes others and names their states, keeps what cannot be written exactly, and Salt renders it as the original', async () => {
    // GIVEN a tree whose SLS include each other and name each other's states
    const { dir, salt, pillar } = siteTree(SITE)
    const top = ['site.app', 'site.loose', 'site.early', 'site.late', 'site.byname', 'site.jinja']
      .map((s) => `    - ${s}\n`)
      .join('')
    writeFileSync(join(salt, 'top.sls'), `base:\n  '*':\n${top}`)
    writeFileSync(join(pillar, 'top.sls'), 'base: {}\n')
    // WHEN imported for a Debian and a Fedora machine
    const to = join(dir, 'config')
    const imported = importSalt(salt, pillar, to, MACHINES)
    // THEN the SLS that include and name others are TypeScript, the others kept with their reasons
    const report = readFileSync(join(to, 'IMPORT-REPORT.md'), 'utf8')
    const outcome = Object.fromEntries(
      [...report.matchAll(/^\| SLS (\S+) \| (translated|kept) \| (.*) \|$/gm)].map((m) => [m[1], m[2]]),
    )
    expect(outcome).toEqual({
      'site.app': 'translated',
      'site.base': 'translated',
      'site.legacy': 'kept',
      'site.loose': 'translated',
      'site.early': 'kept',
      'site.late': 'translated',
      'site.byname': 'translated',
      'site.jinja': 'translated',
    })
    expect(report).toContain(
      `'early-file' (file): 'require' names {"file":"late-file"}, a state of SLS 'site.late', which it does not include and Salt does not render before it`,
    )
    expect(report).toContain("| SLS site.legacy | kept | 'legacy-conf': argument 'mode' is given twice |")
    expect(imported.stdout).toContain('deb: 10 builder (83%), 0 state() (0%), 2 kept (17%)')
    expect(imported.stdout).toContain('fed: 8 builder (80%), 0 state() (0%), 2 kept (20%)')
    const source = configSource(to)
    // the included SLS first; its handles returned, the one in a when() declared before it
    expect(source).toMatch(
      /export const siteBase = sls\('site.base', \(\) => \{\s+let pkgAptHelper!: StateHandle\s+const pkgBaseTools = pkg\(\[\s+'git',\s+\], \{\s+id: 'base-tools',\s+refresh: false,\s+\}\)\s+when\(eq\(grains\.os, 'Debian'\), \(\) => \{\s+pkgAptHelper = pkg\(/,
    )
    expect(source).toMatch(/return \{ pkgBaseTools, pkgAptHelper \}\n\}\)/)
    expect(source).toContain("const fileLegacyConf = external(site.sls('legacy'), 'file', 'legacy-conf')")
    expect(source).toMatch(
      /cmd\('cp \/etc\/app.conf \/etc\/app.conf.bak', \{\s+id: 'app-backup',\s+prereq: \[\(\) => s1\],\s+\}\)\s+const s1 = file\('\/etc\/app.conf', \{\s+id: 'app-conf',\s+contents: '@include common-auth',\s+require: \[siteBase.pkgBaseTools, fileLegacyConf\],/,
    )
    expect(source).toMatch(/onchanges: \[siteBase.pkgAptHelper\],/)
    // a requisite naming a state by its name: byName() of its handle
    expect(source).toMatch(
      /const (s\d+) = pkg\('rsync', \{\s+id: 'byname-pkg',\s+\}\)\s+file\('\/etc\/rsyncd.conf', \{\s+id: 'byname-conf',\s+contents: '',\s+require: \[byName\(\1\)\],/,
    )
    expect(source).toMatch(
      /file\('\/srv\/loose', \{\s+id: 'loose-dir',\s+ensure: 'directory',\s+require: \[siteBase.pkgBaseTools\],\s+watch_in: \[fileLegacyConf\],\s+\}\)/,
    )
    expect(source).toMatch(/\}, \{ include: \[siteBase, site.sls\('legacy'\)\] \}\)/)
    expect(source).toMatch(
      /export const siteJinja = sls\('site.jinja', \(\) => \{[^}]*\}\)\s*\}, \{ include: \[\{ sls: site.sls\('legacy'\), when: eq\(grains.os, 'Debian'\) \}\] \}\)/,
    )
    // AND Salt renders the built tree as the original on each machine
    const out = join(dir, 'out')
    const built = dsl(['build', to, '--out', out])
    expect(built.status, built.stdout + built.stderr).toBe(0)
    for (const [id, grains] of Object.entries(MACHINES)) {
      const theirs = await render(id, grains, salt, pillar)
      expect(Object.keys(theirs.highstate as object).length, id).toBeGreaterThan(6)
      const ours = await render(id, grains, join(out, 'salt'), join(out, 'pillar'))
      expect(ours, id).toEqual(theirs)
    }
  })
})
