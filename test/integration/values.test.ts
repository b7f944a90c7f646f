import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { GRAINS, SaltOracle } from '../support/salt.ts'

/** Strings YAML 1.1, PyYAML and Jinja each like to reinterpret. */
const NAMED = [
  'on',
  'off',
  'yes',
  'no',
  'y',
  'n',
  'true',
  'False',
  'NULL',
  '~',
  'null',
  '',
  ' ',
  '0644',
  '0o644',
  '0x1F',
  '1e3',
  '1.0e+3',
  '.inf',
  '-.inf',
  '.nan',
  '190:20:30',
  '2001-12-14',
  '<<',
  '=',
  '{{ 7*7 }}',
  '{% if x %}y{% endif %}',
  '{# c #}',
  '{{',
  '}}',
  '{%',
  '%}',
  '{#',
  'key: value',
  '#x',
  'a #b',
  '- x',
  '? x',
  '*ref',
  '&anchor',
  '!tag',
  '%x',
  '@x',
  '`x',
  '|',
  '>',
  "'quoted'",
  '"dq"',
  '  lead',
  'trail  ',
  'tab\there',
  'line\nbreak',
  'crlf\r\nx',
  '\n',
  'trailing\n\n',
  'é ü ß',
  '日本語',
  'עברית',
  '👩‍💻🚀',
  '\u0000nul',
  '\u00a0nbsp',
  'back\\slash',
  "{{ '}}' }}",
  '{% raw %}x{% endraw %}',
  'a'.repeat(5000),
  '- [a, b]',
  '{a: 1}',
  '[1]',
  ':',
  'a:b',
  'http://x/y?z=1#f',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
]

/** A config whose states carry each string as an argument, a key and a list item, in #!yaml and Jinja SLS. */
function configSource(values: readonly string[]): string {
  const lines = [
    "import { grains, sls, state, top, when } from 'salt-dsl'",
    `const values: string[] = ${JSON.stringify(values)}`,
  ]
  for (const [name, jinja] of [
    ['plain', false],
    ['templated', true],
  ] as const) {
    const body = `values.forEach((v, i) => state('test.nop', { name: '${name}' + i, value: v, keyed: { [v]: v }, list: [v] }))`
    lines.push(`export const ${name} = sls('${name}', () => {`)
    lines.push(jinja ? `  when(grains.id, () => { ${body} })` : `  ${body}`)
    lines.push('})')
  }
  lines.push('top("*", [plain, templated])')
  return `${lines.join('\n')}\n`
}

describe('values survive the whole trip: TypeScript → dsl build → Salt render', () => {
  let oracle: SaltOracle
  beforeAll(async () => {
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle.close()
  })

  async function roundTrip(values: readonly string[]): Promise<void> {
    const dir = tempDir()
    writeFileSync(join(dir, 'index.ts'), configSource(values))
    const out = join(dir, 'out')
    const run = dsl(['build', dir, '--out', out, '--no-typecheck'], {}, REPO)
    expect(run.status, run.stderr).toBe(0)
    const spec = { id: 'values', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
    for (const sls of ['plain', 'templated']) {
      const result = await oracle.call(spec, 'state.show_sls', [sls])
      expect(result.retcode, result.stdout).toBe(0)
      const high = result.data as Record<string, { test: unknown[] }>
      values.forEach((v, i) => {
        const args = Object.assign(
          {},
          ...high[`${sls}${i}`]!.test.filter((x) => typeof x === 'object'),
        ) as Record<string, unknown>
        expect(
          { value: args.value, keyed: args.keyed, list: args.list },
          `${sls} #${i} ${JSON.stringify(v)}`,
        ).toEqual({
          value: v,
          keyed: { [v]: v },
          list: [v],
        })
      })
    }
  }

  it('named cases come back exactly as written', async () => {
    await roundTrip(NAMED)
  })

  it('arbitrary unicode strings come back exactly as written (fast-check)', async () => {
    const strings = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), {
      numRuns: 400,
      seed: Number(process.env.FC_SEED ?? 7),
    })
    const grapheme = fc.sample(fc.string({ unit: 'grapheme', maxLength: 12 }), { numRuns: 100, seed: 11 })
    const distinct = [...new Set([...strings, ...grapheme])]
    await roundTrip(distinct)
  })
})

/**
 * Code points by the way YAML, JSON, Jinja or Python treat them: every one of the small classes (each
 * C0 and C1 control, DEL, the line and paragraph separators, the BOM, the specials block with its two
 * non-characters), and samples of the large ones.
 */
const EVERY = [
  [0x00, 0x1f],
  [0x7f, 0xa0],
  [0x2028, 0x2029],
  [0xfeff, 0xfeff],
  [0xfff0, 0xffff],
  [0xfdd0, 0xfdd1],
  [0x1fffe, 0x1ffff],
  [0x10fffe, 0x10ffff],
] as const
const SAMPLED = [...EVERY, [0x20, 0x7e], [0xa1, 0xff], [0x100, 0xd7ff], [0xe000, 0xf8ff], [0x10000, 0x10ffff]]

/** `a<ch>b` for every code point of the small classes, and strings mixing every class (fast-check). */
function classStrings(): string[] {
  const every: string[] = []
  for (const [from, to] of EVERY)
    for (let cp = from; cp <= to; cp++) every.push(`a${String.fromCodePoint(cp)}b`)
  const char = fc
    .oneof(...SAMPLED.map(([min, max]) => fc.integer({ min, max })))
    .map((cp) => String.fromCodePoint(cp))
  const mixed = fc.sample(
    fc.array(char, { minLength: 1, maxLength: 10 }).map((cs) => cs.join('')),
    { numRuns: 200, seed: Number(process.env.FC_SEED ?? 13) },
  )
  return [...new Set([...every, ...mixed])]
}

/** A TypeScript string literal of any text: non-ASCII escaped, so the source itself is plain ASCII. */
const tsLiteral = (value: unknown) =>
  JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/** A Python string literal of any text, every character as its `\U` escape. */
const pyLiteral = (text: string) =>
  `"${[...text].map((c) => `\\U${c.codePointAt(0)!.toString(16).padStart(8, '0')}`).join('')}"`

/**
 * Each value as a literal argument (`plain`), and read by Salt when it renders (`read`): a pillar value,
 * a text template joining one with a literal, a byPlatform value and a grain; the pillar and the grains
 * also hold all values as keys of one map, read whole.
 */
function readingSource(values: readonly string[], keyed: Readonly<Record<string, string>>): string {
  return `import { byPlatform, grains, inventory, pillarSchema, profile, sls, state, text, z } from 'salt-dsl'
const values: string[] = ${tsLiteral(values)}
const keyed: Record<string, string> = ${tsLiteral(keyed)}
const { pillar, layer } = pillarSchema(z.object({ v: z.array(z.string()), keyed: z.record(z.string(), z.string()) }))
layer('defaults/common', { v: values, keyed })
const g = grains as any
export const plain = sls('plain', () => {
  values.forEach((v, i) => state('test.nop', { name: 'lit' + i, value: v, keyed: { [v]: v } }))
})
export const read = sls('read', () => {
  values.forEach((v, i) => {
    state('test.nop', { name: 'pil' + i, value: pillar.v[i] as any })
    state('test.nop', { name: 'txt' + i, value: text\`\${pillar.v[i]}|\${v}\` })
    state('test.nop', { name: 'bp' + i, value: byPlatform({ macos: 'not this one', default: v }) })
    state('test.nop', { name: 'gr' + i, value: g.dsl_values[i] })
  })
  state('test.nop', { name: 'pilkeyed', value: pillar.keyed as any })
  state('test.nop', { name: 'grkeyed', value: g.dsl_keyed })
})
const minimal = profile('minimal', { sls: [plain, read] })
inventory({ machines: { values: { platform: 'debian', environment: 'personal', profile: minimal } } })
`
}

/** A state's arguments as one map (show_sls lists them as one-key maps beside the function name). */
function argsOf(high: Record<string, { test: unknown[] }>, id: string): Record<string, unknown> {
  const state = high[id]
  if (state === undefined) return {}
  return Object.assign({}, ...state.test.filter((x) => typeof x === 'object')) as Record<string, unknown>
}

describe('every character arrives byte-identical through every path Salt reads a value by', () => {
  let oracle: SaltOracle
  beforeAll(async () => {
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle.close()
  })

  it('literals, pillar/, pillar and grains read through Jinja, text templates and byPlatform (property)', async () => {
    // GIVEN strings of every code point class as values, and (without ':', which pillar.get splits on) as keys
    const values = classStrings()
    const keyed = Object.fromEntries(values.filter((v) => !v.includes(':')).map((v) => [v, v]))
    const dir = tempDir()
    writeFileSync(join(dir, 'index.ts'), readingSource(values, keyed))
    mkdirSync(join(dir, 'grains'))
    writeFileSync(
      join(dir, 'grains', 'dsl_values.py'),
      `def dsl_values():\n    return {"dsl_values": [${values.map(pyLiteral).join(', ')}], "dsl_keyed": {${Object.entries(
        keyed,
      )
        .map(([k, v]) => `${pyLiteral(k)}: ${pyLiteral(v)}`)
        .join(', ')}}}\n`,
    )
    // WHEN it is built and Salt renders the states and the pillar
    const out = join(dir, 'out')
    const run = dsl(['build', dir, '--out', out, '--no-typecheck'], {}, REPO)
    expect(run.status, run.stderr).toBe(0)
    const spec = {
      id: 'values',
      fileRoot: join(out, 'salt'),
      pillarRoot: join(out, 'pillar'),
      grains: GRAINS.debian,
      options: { grains_dirs: [join(dir, 'grains')] },
    }
    const plain = await oracle.call(spec, 'state.show_sls', ['plain'])
    const read = await oracle.call(spec, 'state.show_sls', ['read'])
    const items = await oracle.call(spec, 'pillar.items')
    // THEN every value, on every path, is the string written, code point for code point
    expect(plain.retcode, plain.stdout).toBe(0)
    expect(read.retcode, read.stdout).toBe(0)
    expect(items.retcode, items.stderr).toBe(0)
    const lit = plain.data as Record<string, { test: unknown[] }>
    const high = read.data as Record<string, { test: unknown[] }>
    const wrong: string[] = []
    const check = (path: string, got: unknown, want: unknown, v: string) => {
      if (JSON.stringify(got) !== JSON.stringify(want))
        wrong.push(`${path} ${tsLiteral(v)}: got ${tsLiteral(got)}`)
    }
    values.forEach((v, i) => {
      const literal = argsOf(lit, `lit${i}`)
      check('literal', literal.value, v, v)
      check('literal key', literal.keyed, { [v]: v }, v)
      check('pillar/', (items.data as { v: string[] }).v[i], v, v)
      check('pillar via Jinja', argsOf(high, `pil${i}`).value, v, v)
      check('text template', argsOf(high, `txt${i}`).value, `${v}|${v}`, v)
      check('byPlatform', argsOf(high, `bp${i}`).value, v, v)
      check('grain via Jinja', argsOf(high, `gr${i}`).value, v, v)
    })
    expect(wrong).toEqual([])
    expect((items.data as { keyed: unknown }).keyed).toEqual(keyed)
    expect(argsOf(high, 'pilkeyed').value).toEqual(keyed)
    expect(argsOf(high, 'grkeyed').value).toEqual(keyed)
  })
})
