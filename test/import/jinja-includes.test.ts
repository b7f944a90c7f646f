// `dsl import salt` translates an SLS whose `include:` Jinja decides: what it includes on each machine is read
// from Salt's render of its file there, and written as the `include` option, an item only some machines have
// under `when` on their os grain (or their minion IDs when machines of one os differ). A requisite on a state
// of an SLS included on some machines only, and a relative item, keep their SLS with the reason. Round trip:
// Salt renders the built tree as the original on two Debian machines and a Fedora one, the order numbers and
// each included state's `__sls_included_from__` too.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl } from '../support/cli.ts'
import { GRAINS } from '../support/salt.ts'
import { configSource, importSalt, siteTree, useRenderOracle } from './render-oracle.ts'

// deb2 has the pillar key `extra`; deb and deb2 share their os grain
const MACHINES = { deb: GRAINS.debian, deb2: GRAINS.debian, fed: GRAINS.fedora } as const

const render = useRenderOracle()

const SITE: Readonly<Record<string, string>> = {
  'common.sls': `common-dir:
  file.directory:
    - name: /srv/common
`,
  // includes site.common too: on Debian, site.common's states are included from site.debian, then site.app
  'debian.sls': `include:
  - site.common

debian-tools:
  pkg.installed:
    - pkgs:
      - apt-file
    - require:
      - file: common-dir
`,
  'extra.sls': `extra-file:
  file.managed:
    - name: /etc/extra.conf
    - contents: extra
`,
  // one item per os, one always, one per pillar
  'app.sls': `{%- set extra = salt['pillar.get']('extra', False) %}
include:
{%- if grains['os'] == 'Debian' %}
  - site.debian
{%- endif %}
  - site.common
{%- if extra %}
  - site.extra
{%- endif %}

app-conf:
  file.managed:
    - name: /etc/app.conf
    - contents: app
    - require:
      - file: common-dir
`,
  // the users formula's include (users/init.sls): the key and each item under an if the pillar decides
  'people.sls': `{% set used_sudo = [] %}
{% set used_polkit = [] %}
{%- for name, user in pillar.get('people', {}).items()
        if user.absent is not defined or not user.absent %}
{%- if 'sudouser' in user and user['sudouser'] %}
{%- do used_sudo.append(1) %}
{%- endif %}
{%- if user.get('polkitadmin', False) == True %}
{%- do used_polkit.append(1)  %}
{%- endif %}
{%- endfor %}

{%- if used_sudo or used_polkit %}
include:
{%- if used_sudo %}
  - site.sudo
{%- endif %}
{%- if used_polkit %}
  - site.polkit
{%- endif %}
{%- endif %}

{% for name, user in pillar.get('people', {}).items()
        if user.absent is not defined or not user.absent %}
people_{{ name }}:
  group.present:
    - name: {{ name }}
{% endfor %}
`,
  'sudo.sls': `sudo-dir:
  file.directory:
    - name: /etc/sudoers.d
`,
  'polkit.sls': `polkit-dir:
  file.directory:
    - name: /etc/polkit-1
`,
  // kept: names a state of an SLS it includes on one machine only
  'needs.sls': `{% if salt['pillar.get']('extra', False) %}
include:
  - site.extra
{% endif %}
needs-file:
  file.managed:
    - name: /etc/needs.conf
    - contents: needs
{%- if salt['pillar.get']('extra', False) %}
    - require:
      - file: extra-file
{%- endif %}
`,
  // kept: a relative item, under a condition
  'rel.sls': `{% if grains['os'] == 'Debian' %}
include:
  - .common
{% endif %}
rel-file:
  file.managed:
    - name: /etc/rel.conf
    - contents: rel
`,
}

describe('dsl import salt: an include Jinja decides', () => {
  it('writes what Salt includes on each machine, under when() where machines differ, and Salt renders it as the original', async () => {
    // GIVEN a tree whose includes Jinja decides per os and per pillar
    const { dir, salt, pillar } = siteTree(SITE)
    // deb renders site.extra from its top, after site.app: an include of it there would render it earlier
    const top =
      "base:\n  '*':\n    - site.app\n    - site.needs\n    - site.rel\n    - site.people\n  'deb':\n    - site.extra\n"
    writeFileSync(join(salt, 'top.sls'), top)
    // deb2: a sudo user and a polkit admin; deb: a polkit admin; fed: no one (people includes nothing)
    writeFileSync(join(pillar, 'top.sls'), "base:\n  'deb':\n    - deb\n  'deb2':\n    - deb2\n")
    writeFileSync(join(pillar, 'deb.sls'), 'people:\n  bob:\n    polkitadmin: true\n')
    writeFileSync(
      join(pillar, 'deb2.sls'),
      'extra: true\npeople:\n  alice:\n    sudouser: true\n  bob:\n    polkitadmin: true\n',
    )
    // WHEN imported for the three machines
    const to = join(dir, 'config')
    importSalt(salt, pillar, to, MACHINES)
    // THEN the SLS whose include Jinja decides is TypeScript; what cannot be written exactly is kept
    const report = readFileSync(join(to, 'IMPORT-REPORT.md'), 'utf8')
    const outcome = Object.fromEntries(
      [...report.matchAll(/^\| SLS (\S+) \| (translated|kept) \| (.*) \|$/gm)].map((m) => [m[1], m[2]]),
    )
    expect(outcome).toEqual({
      'site.app': 'translated',
      'site.debian': 'translated',
      'site.common': 'translated',
      'site.extra': 'translated',
      'site.people': 'translated',
      'site.sudo': 'translated',
      'site.polkit': 'translated',
      'site.needs': 'kept',
      'site.rel': 'kept',
    })
    expect(report).toContain(
      `'needs-file' (file): 'require' names {"file":"extra-file"}, a state of SLS 'site.extra', which it includes on some machines only`,
    )
    expect(report).toContain(`its include: holds ".common", not an SLS name`)
    expect(report).not.toContain('Jinja condition')
    // the item per os on its os grain, the one per pillar on the minion ID (deb and deb2 share their os)
    const source = configSource(to)
    expect(source).toMatch(
      /\}, \{\s*include: \[\s*\{ sls: siteDebian, when: eq\(grains\.os, 'Debian'\) \},\s*siteCommon,\s*\{ sls: siteExtra, when: eq\(grains\.id, 'deb2'\) \},?\s*\],?\s*\}\)/,
    )
    expect(source).toMatch(
      /\}, \{\s*include: \[\s*\{ sls: siteSudo, when: eq\(grains\.id, 'deb2'\) \},\s*\{ sls: sitePolkit, when: eq\(grains\.os, 'Debian'\) \},?\s*\],?\s*\}\)/,
    )
    // AND Salt renders the built tree as the original on each machine
    const out = join(dir, 'out')
    const built = dsl(['build', to, '--out', out])
    expect(built.status, built.stdout + built.stderr).toBe(0)
    const includedFrom: Record<string, unknown> = {}
    for (const [id, grains] of Object.entries(MACHINES)) {
      const theirs = await render(id, grains, salt, pillar)
      const high = theirs.highstate as Record<string, Record<string, unknown>>
      const from = (state: string) =>
        high[state] === undefined ? 'absent' : (high[state].__sls_included_from__ ?? 'top')
      includedFrom[id] = [from('common-dir'), from('extra-file'), from('sudo-dir'), from('polkit-dir')]
      const ours = await render(id, grains, join(out, 'salt'), join(out, 'pillar'))
      expect(ours, id).toEqual(theirs)
    }
    // (the renders compared hold what the includes decide)
    expect(includedFrom).toEqual({
      deb: [['site.debian', 'site.app'], 'top', 'absent', ['site.people']],
      deb2: [['site.debian', 'site.app'], ['site.app'], ['site.people'], ['site.people']],
      fed: [['site.app'], 'absent', 'absent', 'absent'],
    })
  })
})
