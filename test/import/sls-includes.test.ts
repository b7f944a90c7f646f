// What the importer reads of an SLS file's includes (a plain top-level list is written again as the
// `include` option; anything Jinja or Salt decides otherwise keeps the SLS), and the order Salt walks a top
// file's SLS and their includes in (a requisite's SLS rendered before needs no include of its own).
import { describe, expect, it } from 'vitest'
import { readIncludes, renderedBefore } from '../../import/sls-includes.ts'

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

  it('gives the reason for what Jinja or Salt decides', () => {
    expect(readIncludes("{% if grains['os'] == 'Debian' %}\ninclude:\n  - a\n{% endif %}\n").reasons).toEqual(
      ['its include: is under a Jinja condition or loop'],
    )
    expect(readIncludes('{% if x %}y{% endif %}\ninclude:\n  - a\n').reasons).toEqual([])
    expect(readIncludes('include:\n  - .sibling\n  - base: a\n').reasons).toEqual([
      'its include: holds ".sibling", not an SLS name (Jinja, a relative or a per-saltenv item)',
      'its include: holds "base: a", not an SLS name (Jinja, a relative or a per-saltenv item)',
    ])
    expect(readIncludes('include:\n  {% for s in l %}\n  - {{ s }}\n  {% endfor %}\n').reasons).toHaveLength(
      3,
    )
    expect(readIncludes('extend:\n  a:\n    pkg: []\nexclude:\n  - sls: b\n').reasons).toEqual([
      'it extends states of other SLS (extend:)',
      'it excludes SLS or states (exclude:)',
    ])
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
