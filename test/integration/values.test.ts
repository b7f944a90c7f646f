import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_DEPTH, MAX_JINJA_DEPTH } from '../../dsl/values.ts'
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
    "import { extensionState, grains, sls, top, when } from 'salt-dsl'",
    `const values: string[] = ${JSON.stringify(values)}`,
  ]
  for (const [name, jinja] of [
    ['plain', false],
    ['templated', true],
  ] as const) {
    const body = `values.forEach((v, i) => extensionState('test.nop', { name: '${name}' + i, value: v, keyed: { [v]: v }, list: [v] }))`
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
  // text that looks like the JSON numbers the macro mends, or like the markers it uses
  const numeric = ['1e5', '-1e-07', '"1e5"', '[1e5, 2E-3]', '{"a": 1e5}', '1.5e3', '\\"1e5', '\x01\x02']
  return [...new Set([...every, ...mixed, ...numeric])]
}

/** Numbers JSON writes without a dot (`1e-07`) or with one, and integers beyond 2^53. */
const NUMBERS = [1e-7, 5e-324, -1e-5, 1.5e-7, 0.1, -0, 1e21, 2 ** 53 + 2, 123.456, 1e300, 0, -3]

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
  return `import { byPlatform, extensionState, grains, inventory, pillarSchema, profile, sls, text, z } from 'salt-dsl'
const values: string[] = ${tsLiteral(values)}
const keyed: Record<string, string> = ${tsLiteral(keyed)}
const { pillar, layer } = pillarSchema(
  z.object({ v: z.array(z.string()), keyed: z.record(z.string(), z.string()), n: z.array(z.number()) }),
)
const numbers: number[] = [${NUMBERS.map((n) => (Object.is(n, -0) ? '-0' : String(n))).join(', ')}]
layer('defaults/common', { v: values, keyed, n: numbers } as never)
const g = grains as any
export const plain = sls('plain', () => {
  values.forEach((v, i) => extensionState('test.nop', { name: 'lit' + i, value: v, keyed: { [v]: v } }))
})
export const read = sls('read', () => {
  values.forEach((v, i) => {
    extensionState('test.nop', { name: 'pil' + i, value: pillar.v[i] as any })
    extensionState('test.nop', { name: 'txt' + i, value: text\`\${pillar.v[i]}|\${v}\` })
    extensionState('test.nop', { name: 'bp' + i, value: byPlatform({ macos: 'not this one', default: v }) })
    extensionState('test.nop', { name: 'gr' + i, value: g.dsl_values[i] })
  })
  numbers.forEach((n, i) => extensionState('test.nop', { name: 'num' + i, value: pillar.n[i] as any }))
  extensionState('test.nop', { name: 'numbers', value: pillar.n as any })
  extensionState('test.nop', { name: 'pilkeyed', value: pillar.keyed as any })
  extensionState('test.nop', { name: 'grkeyed', value: g.dsl_keyed })
})
const minimal = profile('minimal', { sls: [plain, read] })
inventory({ machines: { values: { platform: 'debian', environment: 'personal', profile: minimal } } })
`
}

/** A state's arguments as one map (show_sls lists them as one-key maps beside the function name). */
function argsOf(high: Record<string, { test: unknown[] }>, id: string): Record<string, unknown> {
  return merged(high[id]?.test ?? [])
}

/** The one-key maps of a state's list as one map (defined key by key: `__proto__` is a key here too). */
function merged(list: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue
    for (const [k, v] of Object.entries(item)) Object.defineProperty(out, k, { value: v, enumerable: true })
  }
  return out
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
    NUMBERS.forEach((n, i) => {
      const got = argsOf(high, `num${i}`).value
      if (!Object.is(got, n)) wrong.push(`number ${n} via Jinja: got ${JSON.stringify(got)}`)
    })
    expect(argsOf(high, 'numbers').value).toEqual(NUMBERS)
    expect(wrong).toEqual([])
    expect((items.data as { keyed: unknown }).keyed).toEqual(keyed)
    expect(argsOf(high, 'pilkeyed').value).toEqual(keyed)
    expect(argsOf(high, 'grkeyed').value).toEqual(keyed)
  })
})

/** Names of Object.prototype's members (and `prototype`): a JavaScript object assigned such a key loses it. */
const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const

/** Each name as an env key of cmd(), a state's argument, a nested and a top-level pillar key. */
const PROTO_SOURCE = `import { cmd, extensionState, inventory, pillarSchema, profile, sls, z } from 'salt-dsl'
const names = ${JSON.stringify(PROTO_NAMES)}
const each = <T>(f: (n: string) => T) => Object.fromEntries(names.map((n) => [n, f(n)]))
const { pillar, layer } = pillarSchema(z.looseObject({}))
layer('defaults/common', { ...each((n) => ({ x: n })), nested: each((n) => n) } as never)
export const keys = sls('keys', () => {
  cmd('env', { env: each((n) => n), creates: '/nonexistent' })
  extensionState('test.nop', { name: 'args', ...each((n) => n) } as never)
  extensionState('test.nop', { name: 'read', nested: (pillar as any).nested, top: (pillar as any)['__proto__'] })
})
const minimal = profile('minimal', { sls: [keys] })
inventory({ machines: { keys: { platform: 'debian', environment: 'personal', profile: minimal } } })
`

/** A value nested `depth` levels deep: maps and lists in turn, a string at the bottom. */
function nested(depth: number): unknown {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { k: value } : [value]
  return value
}

describe('keys are data, whatever their name; depth Salt can read; comments', () => {
  let oracle: SaltOracle
  beforeAll(async () => {
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle.close()
  })

  it('__proto__, constructor, ... arrive in Salt as keys, and dsl explain shows them', async () => {
    // GIVEN a config using each name as a key everywhere a user writes keys
    const dir = tempDir()
    writeFileSync(join(dir, 'index.ts'), PROTO_SOURCE)
    // WHEN it is built and rendered by Salt
    const out = join(dir, 'out')
    const run = dsl(['build', dir, '--out', out, '--no-typecheck'], {}, REPO)
    expect(run.status, run.stderr).toBe(0)
    const spec = { id: 'keys', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
    const sls = await oracle.call(spec, 'state.show_sls', ['keys'])
    const items = await oracle.call(spec, 'pillar.items')
    // THEN every key is there with its value: in the states, in the pillar Salt reads, and in explain
    const each = <T>(f: (n: string) => T) => Object.fromEntries(PROTO_NAMES.map((n) => [n, f(n)]))
    expect(sls.retcode, sls.stdout).toBe(0)
    const high = sls.data as Record<string, { cmd?: unknown[]; test?: unknown[] }>
    expect(merged(high.env!.cmd!).env).toEqual(each((n) => n))
    const args = argsOf(high as Record<string, { test: unknown[] }>, 'args')
    for (const n of PROTO_NAMES) expect(Object.hasOwn(args, n) && args[n], n).toBe(n)
    const read = argsOf(high as Record<string, { test: unknown[] }>, 'read')
    expect(read.nested).toEqual(each((n) => n))
    expect(read.top).toEqual({ x: '__proto__' })
    expect(items.data).toEqual({ ...each((n) => ({ x: n })), nested: each((n) => n) })
    const explained = dsl(['explain', '__proto__.x', '--machine', 'keys', dir, '--format', 'json'], {}, REPO)
    expect(explained.status, explained.stderr).toBe(0)
    expect(JSON.parse(explained.stdout)).toMatchObject({ key: '__proto__.x', value: '__proto__' })
  })

  it(`a value nested ${MAX_DEPTH} levels deep (${MAX_JINJA_DEPTH} in byPlatform or a condition) is read back by Salt`, async () => {
    // GIVEN a state argument, a pillar layer and a byPlatform value as deep as the compiler allows
    const dir = tempDir()
    const source = `import { byPlatform, type Condition, extensionState, grains, inventory, layer, not, profile, sls, when } from 'salt-dsl'
layer('defaults/common', { deep: ${JSON.stringify(nested(MAX_DEPTH - 1))} } as never)
export const deep = sls('deep', () => {
  extensionState('test.nop', { name: 'arg', value: ${JSON.stringify(nested(MAX_DEPTH))} } as never)
  extensionState('test.nop', { name: 'bp', value: byPlatform({ default: ${JSON.stringify(nested(MAX_JINJA_DEPTH))} as never }) })
  let condition: Condition = grains.id
  for (let i = 0; i < ${MAX_JINJA_DEPTH}; i++) condition = not(condition) // an even count: true
  when(condition, () => extensionState('test.nop', { name: 'cond' }))
})
const minimal = profile('minimal', { sls: [deep] })
inventory({ machines: { deep: { platform: 'debian', environment: 'personal', profile: minimal } } })
`
    writeFileSync(join(dir, 'index.ts'), source)
    // WHEN it is built and rendered
    const out = join(dir, 'out')
    const run = dsl(['build', dir, '--out', out, '--no-typecheck'], {}, REPO)
    expect(run.status, run.stderr).toBe(0)
    const spec = { id: 'deep', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
    const sls = await oracle.call(spec, 'state.show_sls', ['deep'])
    const items = await oracle.call(spec, 'pillar.items')
    // THEN Salt reads each whole
    expect(sls.retcode, sls.stdout.slice(0, 2000)).toBe(0)
    const high = sls.data as Record<string, { test: unknown[] }>
    expect(argsOf(high, 'arg').value).toEqual(nested(MAX_DEPTH))
    expect(argsOf(high, 'bp').value).toEqual(nested(MAX_JINJA_DEPTH))
    expect(high.cond, 'a condition nested as deep as allowed').toBeDefined()
    expect(items.retcode, items.stderr.slice(0, 2000)).toBe(0)
    expect(items.data).toEqual({ deep: nested(MAX_DEPTH - 1) })
  })

  it('an SLS doc is a comment in Salt, whatever it holds (line breaks YAML knows, controls, Jinja tags)', async () => {
    const doc = 'first\\x85evil: 1\\r{{ 7*7 }} {% if x %}\\u2028second: 2\\x7f {#'
    const dir = tempDir()
    const source = `import { extensionState, grains, sls, top, when } from 'salt-dsl'
export const a = sls('a', () => { extensionState('test.nop', { name: 'x' }) }, { doc: '${doc}' })
export const b = sls('b', () => { when(grains.id, () => extensionState('test.nop', { name: 'y' })) }, { doc: '${doc}' })
top('*', [a, b])
`
    writeFileSync(join(dir, 'index.ts'), source)
    const out = join(dir, 'out')
    const run = dsl(['build', dir, '--out', out, '--no-typecheck'], {}, REPO)
    expect(run.status, run.stderr).toBe(0)
    const spec = { id: 'doc', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
    for (const [sls, id] of [
      ['a', 'x'],
      ['b', 'y'],
    ] as const) {
      const result = await oracle.call(spec, 'state.show_sls', [sls])
      expect(result.retcode, result.stdout).toBe(0)
      expect(Object.keys(result.data as object), sls).toEqual([id])
    }
  })
})
