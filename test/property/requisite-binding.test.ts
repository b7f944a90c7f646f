// Every requisite the compiler emits binds, in the real Salt, exactly the state its handle names, even when
// IDs hold the characters Salt reads as a glob (`[`, `]`, `*`, `?`): what Salt's ordering graph resolved is
// read back per state and requisite type (salt-sls-verdicts.py), and a test=True run shows no requisite
// failing on the decoys a glob would hit. Requisites that cannot be written to bind exactly are refused.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { saltCall } from '../support/salt.ts'
import { type SlsVerdict, slsVerdicts } from '../support/salt-sls-verdicts.ts'

// as in test/fixtures/requisite-globs/index.ts
const GLOBBED = ['x[1]', 'a*', 'w?', 'q]', '{{ a[0] }}', '[!x]y']
const DECOYS = ['x1', 'ab', 'wz', '{{ a0 }}', 'zy']
const FORWARD = [
  'require',
  'watch',
  'onchanges',
  'onfail',
  'prereq',
  'require_any',
  'watch_any',
  'onchanges_any',
  'onfail_any',
]
const BACKWARD = ['require_in', 'watch_in', 'onchanges_in', 'onfail_in', 'prereq_in']

type Deps = Record<string, Record<string, string[]>>

/** What Salt's graph must hold: `A prereq B` shows as prereq on A and as require on B (`_add_prereq`). */
function expectedDeps(): Deps {
  const deps: Deps = {}
  const add = (owner: string, type: string, dep: string) => {
    deps[owner] ??= {}
    const byType = deps[owner]
    byType[type] = [...(byType[type] ?? []), dep].sort()
  }
  for (const id of [...GLOBBED, ...DECOYS]) deps[id] = {}
  for (const kind of FORWARD) {
    deps[`by-${kind}`] = {}
    for (const t of GLOBBED) {
      add(`by-${kind}`, kind, t)
      if (kind === 'prereq') add(t, 'require', `by-${kind}`)
    }
  }
  for (const kind of BACKWARD) {
    const base = kind.slice(0, -3)
    deps[`in-${kind}`] = {}
    for (const t of GLOBBED) {
      add(t, base, `in-${kind}`)
      if (base === 'prereq') add(`in-${kind}`, 'require', t)
    }
  }
  return deps
}

let out: string
let verdict: SlsVerdict

beforeAll(async () => {
  out = join(tempDir(), 'out')
  const built = dsl(['build', join(REPO, 'test/fixtures/requisite-globs'), '--out', out])
  expect(built.status, built.stderr).toBe(0)
  const [only] = await slsVerdicts(join(out, 'salt'), ['globs'])
  verdict = only!
})

describe('requisites bind exactly the state their handle names (Salt 3008)', () => {
  it("Salt's ordering graph binds each requisite to its own state, never to a decoy", () => {
    expect(verdict.errors).toBeNull()
    expect(verdict.deps).toEqual(expectedDeps())
  })

  it('a test=True run of the built tree fails no requisite', async () => {
    const run = await saltCall(
      { id: 'globs', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') },
      'state.sls',
      ['globs'],
      { test: true },
    )
    const results = run.data as Record<string, { __id__: string; result: boolean | null; comment: string }>
    expect(typeof results, run.stdout).toBe('object')
    const failed = Object.values(results)
      .filter((r) => r.__id__ === 'by-require' || r.__id__ === 'by-watch')
      .filter((r) => r.result === false)
      .map((r) => `${r.__id__}: ${r.comment}`)
    expect(failed).toEqual([])
  })

  it('what the refused requisites would bind in Salt, written by hand', async () => {
    // the shapes test/fixtures/diagnostics/requisite-binding refuses (DSL3061, DSL3060)
    const root = join(tempDir(), 'salt')
    mkdirSync(root)
    const sls = (name: string, text: string) => writeFileSync(join(root, `${name}.sls`), text)
    sls(
      'glob_in',
      'other:\n  test.nop: []\nab:\n  test.nop: []\n"a*":\n  test.nop:\n    - require_in:\n      - test: other\n',
    )
    sls(
      'glob_in_none',
      'other:\n  test.nop: []\n"x[1]":\n  test.nop:\n    - watch_in:\n      - test: other\n',
    )
    sls(
      'by_name',
      'one:\n  test.nop:\n    - name: shared\nshared:\n  test.nop:\n    - name: two\n' +
        'user:\n  test.nop:\n    - require:\n      - test: shared\n',
    )
    const [globIn, none, byName] = await slsVerdicts(root, ['glob_in', 'glob_in_none', 'by_name'])
    expect(globIn!.deps.other).toEqual({ require: ['a*', 'ab'] })
    expect(none!.errors?.join('\n')).toMatch(
      /Referenced state does not exist for requisite \[watch: \(test: x\[1\]\)\]/,
    )
    expect(byName!.deps.user).toEqual({ require: ['one', 'shared'] })
  })

  it('refuses an _in form from a state whose ID is a glob, and a reference another state is named', () => {
    const run = dsl(['check', join(REPO, 'test/fixtures/diagnostics/requisite-binding'), '--format', 'json'])
    const codes = (JSON.parse(run.stdout) as { diagnostics: { code: string; message: string }[] }).diagnostics
    expect(run.status).toBe(1)
    expect(codes.map((d) => d.code).sort()).toEqual(['DSL3060', 'DSL3061', 'DSL3061'])
  })
})
