// What the importer reads of an SLS file's includes (a plain top-level list is written again as the
// `include` option; one Jinja decides is read from Salt's render of the file on each machine, and written
// per item under a condition where machines differ; a relative or per-saltenv item keeps the SLS), and the
// order Salt walks a top file's SLS and their includes in (a requisite's SLS rendered before needs no
// include of its own), with each machine's own includes.
import { describe, expect, it } from 'vitest'
import { foreignReason, reachOnEvery } from '../../import/cross-sls.ts'
import type { MachineRender } from '../../import/salt-renders.ts'
import {
  includesOn,
  jinjaIncludeItems,
  readIncludes,
  renderedBefore,
  renderedIncludes,
  type SlsIncludes,
} from '../../import/sls-includes.ts'

const ITEM = 'not an SLS name (a relative, a per-saltenv or a glob item)'

describe('readIncludes', () => {
  it('reads a block list, a flow list, quoted names and comments', () => {
    expect(
      readIncludes("include:\n  - a.b\n  # a comment\n\n  - 'c'  # why\nx:\n  pkg.installed: []\n"),
    ).toEqual({
      includes: ['a.b', 'c'],
      reasons: [],
    })
    expect(readIncludes('include: [a, "b.c"]\n')).toEqual({ includes: ['a', 'b.c'], reasons: [] })
    expect(readIncludes('include: []\n')).toEqual({ includes: [], reasons: [] })
  })

  it('does not take the word include in a value or a comment for an include', () => {
    const text = "pam:\n  file.replace:\n    - pattern: '^@include common-auth'\n# include: x\n"
    expect(readIncludes(text)).toEqual({ includes: [], reasons: [] })
  })

  it('leaves an include Jinja decides to Salt: under an if or a for, or Jinja among or in its items', () => {
    const jinja = { includes: [], reasons: [], byJinja: true }
    expect(readIncludes("{% if grains['os'] == 'Debian' %}\ninclude:\n  - a\n{% endif %}\n")).toEqual(jinja)
    expect(readIncludes('include:\n  {% for s in l %}\n  - {{ s }}\n  {% endfor %}\n')).toEqual(jinja)
    expect(readIncludes('include:\n  - a\n{%- if x %}\n  - b\n{%- endif %}\n')).toEqual(jinja)
    expect(readIncludes('include:\n  - {{ sls }}.sub\n')).toEqual(jinja)
    expect(readIncludes('include: {{ list | json }}\n')).toEqual(jinja)
    // the users formula: the key under an if, items under their own
    const users =
      '{%- if a or b %}\ninclude:\n{%- if a %}\n  - users.sudo\n{%- endif %}\n{%- endif %}\n\n' +
      "{% for name, user in pillar.get('users', {}).items()\n        if not user.absent %}\nx:\n  pkg.installed: []\n{% endfor %}\n"
    expect(readIncludes(users)).toEqual(jinja)
  })

  it('reads a plain list past Jinja around it', () => {
    expect(readIncludes('{% if x %}y{% endif %}\ninclude:\n  - a\n')).toEqual({
      includes: ['a'],
      reasons: [],
    })
    // a tag after the list, over two lines, and an indented line in it: no item of the include
    const after =
      "include:\n  - a\n{% for n in pillar.get('u', {})\n    if n %}\nx-{{ n }}:\n  pkg.installed: []\n{% endfor %}\n"
    expect(readIncludes(after)).toEqual({ includes: ['a'], reasons: [] })
  })

  it('gives the reason for an item salt-dsl does not write', () => {
    expect(readIncludes('include:\n  - .sibling\n  - base: a\n').reasons).toEqual([
      `its include: holds ".sibling", ${ITEM}`,
      `its include: holds "base: a", ${ITEM}`,
    ])
    expect(readIncludes('extend:\n  a:\n    pkg: []\nexclude:\n  - sls: b\n').reasons).toEqual([
      'it extends states of other SLS (extend:)',
      'it excludes SLS or states (exclude:)',
    ])
  })
})

describe('renderedIncludes', () => {
  it("reads the include: of Salt's render of a file", () => {
    expect(renderedIncludes(undefined)).toEqual({ includes: [], reasons: [] })
    expect(renderedIncludes(null)).toEqual({ includes: [], reasons: [] })
    expect(renderedIncludes(['a', 'b.c'])).toEqual({ includes: ['a', 'b.c'], reasons: [] })
    expect(renderedIncludes(['.rel', { base: 'a' }, 'a.*']).reasons).toEqual([
      `its include: holds ".rel", ${ITEM}`,
      `its include: holds "{\\"base\\":\\"a\\"}", ${ITEM}`,
      `its include: holds "a.*", ${ITEM}`,
    ])
    expect(renderedIncludes('a').reasons).toEqual(['its include: renders to no list'])
  })
})

/** A machine's render: its os grain, top, the SLS it has states of, and its Jinja-decided includes. */
function machine(
  id: string,
  os: string,
  top: readonly string[],
  states: readonly string[],
  includes: Record<string, readonly string[] | SlsIncludes>,
): MachineRender {
  return {
    machine: { id, grains: { os } },
    top,
    pillar: {},
    highstate: Object.fromEntries(states.map((sls, i) => [`s${i}`, { __sls__: sls, pkg: ['installed'] }])),
    includes: new Map(
      Object.entries(includes).map(([sls, v]) => [
        sls,
        Array.isArray(v) ? { includes: v as string[], reasons: [] } : (v as SlsIncludes),
      ]),
    ),
  }
}

describe('jinjaIncludeItems', () => {
  it('writes an include every machine has plainly, the others on their os grain or minion ID', () => {
    const renders = [
      machine('deb', 'Debian', ['app'], ['app'], { app: ['common', 'debian'] }),
      machine('deb2', 'Debian', ['app'], ['app'], { app: ['common', 'debian', 'extra'] }),
      machine('fed', 'Fedora', ['app'], ['app'], { app: ['fedora', 'common'] }),
    ]
    expect(jinjaIncludeItems('app', renders)).toEqual({
      items: [
        { sls: 'fedora', on: { machines: ['fed'], os: ['Fedora'] } },
        { sls: 'common' },
        { sls: 'debian', on: { machines: ['deb', 'deb2'], os: ['Debian'] } },
        { sls: 'extra', on: { machines: ['deb2'], os: ['Debian'], byId: true } },
      ],
      reasons: [],
    })
  })

  it('tells machines of an os salt-dsl does not know apart by their minion ID', () => {
    const renders = [
      machine('a', 'Plan9', ['app'], ['app'], { app: ['x'] }),
      machine('b', 'Debian', ['app'], ['app'], { app: [] }),
    ]
    expect(jinjaIncludeItems('app', renders).items).toEqual([
      { sls: 'x', on: { machines: ['a'], os: ['Plan9'], byId: true } },
    ])
  })

  it('only looks at the machines that render the SLS', () => {
    const renders = [
      machine('deb', 'Debian', ['app'], ['app'], { app: ['x'] }),
      machine('fed', 'Fedora', ['other'], ['other'], {}),
    ]
    expect(jinjaIncludeItems('app', renders).items).toEqual([{ sls: 'x' }])
  })

  it('gives the reasons it cannot write', () => {
    const order = [
      machine('deb', 'Debian', ['app'], ['app'], { app: ['a', 'b'] }),
      machine('fed', 'Fedora', ['app'], ['app'], { app: ['b', 'a'] }),
    ]
    expect(jinjaIncludeItems('app', order).reasons).toEqual([
      'its include: lists SLS in another order on each machine',
    ])
    const missing = [
      machine('deb', 'Debian', ['app'], ['app'], { app: ['a'] }),
      machine('fed', 'Fedora', ['app'], ['app'], {}),
    ]
    expect(jinjaIncludeItems('app', missing).reasons).toEqual([
      "its include: is Jinja's, and Salt's render of it on fed is missing",
    ])
    const relative = [machine('deb', 'Debian', ['app'], ['app'], { app: renderedIncludes(['.a']) })]
    expect(jinjaIncludeItems('app', relative).reasons).toEqual([`its include: holds ".a", ${ITEM}`])
  })
})

describe('reachOnEvery', () => {
  // app's include: is Jinja's (in the renders), the others' are their files' (here: a table)
  const files: Record<string, readonly string[] | undefined> = { base: [], extra: [], late: [] }
  const includesOf = (r: MachineRender) => (sls: string) => r.includes?.get(sls)?.includes ?? files[sls] ?? []

  it("takes each machine's includes: what every machine includes or renders before is reached", () => {
    const renders = [
      machine('deb', 'Debian', ['extra', 'app'], ['app'], { app: ['base'] }),
      machine('fed', 'Fedora', ['app'], ['app'], { app: ['base', 'extra'] }),
    ]
    const reach = reachOnEvery('app', renders, includesOf)
    expect(reach.included).toEqual(new Set(['base']))
    expect(reach.before).toEqual(new Set(['base', 'extra']))
    expect(reach.includedOnSome).toEqual(new Set(['base', 'extra']))
  })

  it('says so when a requisite names a state of an SLS included on some machines only', () => {
    const renders = [
      machine('deb', 'Debian', ['app'], ['app'], { app: ['extra'] }),
      machine('fed', 'Fedora', ['app'], ['app'], { app: [] }),
    ]
    const reach = { name: 'app', slsOf: () => 'extra', ...reachOnEvery('app', renders, includesOf) }
    expect(foreignReason('require', '{"file":"x"}', 'file|x', reach)).toBe(
      `'require' names {"file":"x"}, a state of SLS 'extra', which it includes on some machines only (salt-dsl includes the SLS a requisite names on every machine)`,
    )
    const everywhere = renders.map((r) =>
      machine(r.machine.id, String(r.machine.grains.os), ['app'], ['app'], { app: ['extra'] }),
    )
    const all = { name: 'app', slsOf: () => 'extra', ...reachOnEvery('app', everywhere, includesOf) }
    expect(foreignReason('require', '{"file":"x"}', 'file|x', all)).toBeUndefined()
  })
})

describe('includesOn', () => {
  const read = (file: string): SlsIncludes =>
    file === 'j.sls' ? { includes: [], reasons: [], byJinja: true } : { includes: ['x'], reasons: [] }
  const fileOf = (sls: string) => (sls === 'none' ? undefined : `${sls}.sls`)

  it("takes the file's list, or Salt's render on the machine when Jinja decides", () => {
    const rendered = new Map([['j', { includes: ['y'], reasons: [] }]])
    expect(includesOn(fileOf, read, rendered)('a')).toEqual(['x'])
    expect(includesOn(fileOf, read, rendered)('j')).toEqual(['y'])
    expect(includesOn(fileOf, read, rendered)('none')).toEqual([])
    expect(includesOn(fileOf, read, undefined)('j')).toBeUndefined()
    expect(includesOn(fileOf, read, new Map([['j', renderedIncludes(['.r'])]]))('j')).toBeUndefined()
  })
})

describe('renderedBefore', () => {
  const files: Record<string, readonly string[] | undefined> = {
    app: ['base', 'legacy'],
    base: [],
    legacy: ['base'],
    loose: [],
    late: [],
    jinja: undefined,
  }
  const includesOf = (sls: string) => files[sls]

  it('walks the top in order, each SLS followed by its includes, none twice', () => {
    const top = ['app', 'loose', 'late']
    expect(renderedBefore('loose', top, includesOf)).toEqual(new Set(['app', 'base', 'legacy']))
    expect(renderedBefore('legacy', top, includesOf)).toEqual(new Set(['app', 'base']))
    expect(renderedBefore('late', ['late', 'app'], includesOf)).toEqual(new Set())
    expect(renderedBefore('other', top, includesOf)).toBeNull()
  })

  it('knows nothing past an include Jinja decides', () => {
    expect(renderedBefore('loose', ['jinja', 'loose'], includesOf)).toBeUndefined()
    expect(renderedBefore('loose', ['loose', 'jinja'], includesOf)).toEqual(new Set())
  })
})
