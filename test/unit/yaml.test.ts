import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  emitYaml,
  JinjaExpr,
  jinjaLiteral,
  YamlEmitError,
  type YamlNode,
  yamlScalar,
} from '../../compiler/emit/yaml.ts'
import { renderWithSalt, type SaltRenderInput } from '../support/salt-render.ts'

// Every case goes through Salt's real render pipe, read by libyaml (Salt's default) and by pure PyYAML.
const pipes = [
  { renderer: 'yaml', jinja: false },
  { renderer: 'yaml', jinja: false, loader: 'pure' },
  { renderer: 'jinja|yaml', jinja: true },
  { renderer: 'jinja|yaml', jinja: true, loader: 'pure' },
] as const

interface Case {
  readonly name: string
  readonly doc: YamlNode
  /** What Salt must produce, when it differs from `doc` (a JinjaExpr inside). */
  readonly expected?: unknown
  readonly jinjaOnly?: boolean
}

/** Rebuilds objects as ordinary ones (fast-check makes null-prototype dictionaries). */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: plain(item),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

function same(actual: unknown, expected: unknown): boolean {
  return isDeepStrictEqual(actual, expected) && JSON.stringify(actual) === JSON.stringify(expected)
}

/** Emits each case for each pipe, renders all of them in ONE Salt process, expects the input back. */
async function expectRoundTrip(cases: readonly Case[]): Promise<void> {
  const runs = cases.flatMap((c) =>
    pipes.filter((p) => p.jinja || !c.jinjaOnly).map((p) => ({ c, p, text: emitYaml(c.doc, p) })),
  )
  const inputs = runs.map(({ p, text }): SaltRenderInput => ({ text, renderer: p.renderer, ...loaderOf(p) }))
  const results = await renderWithSalt(inputs)
  const failures = runs
    .map((run, i) => ({ ...run, actual: results[i], expected: plain(run.c.expected ?? run.c.doc) }))
    .filter((run) => !same(run.actual, run.expected))
    .sort((a, b) => a.text.length - b.text.length)
    .slice(0, 5)
    .map(({ c, p, text, actual, expected }) => ({
      case: c.name,
      pipe: `${p.renderer}${'loader' in p ? ` (${p.loader})` : ''}`,
      text,
      expected,
      actual,
    }))
  expect(failures).toEqual([])
}

function loaderOf(pipe: (typeof pipes)[number]): Pick<SaltRenderInput, 'loader'> {
  return 'loader' in pipe ? { loader: pipe.loader } : {}
}

const named = {
  bool: ['on', 'no', 'yes', 'off', 'y', 'n', 'Y', 'N', 'ON', 'Off', 'True', 'FALSE', 'tRUE'],
  null: ['~', 'null', 'Null', 'NULL', 'nULL', ''],
  int: ['0644', '0x1F', '0b101', '0o17', '1_000', '+1', '-1', '0', '00', '-0', '+0', '190:20:30'],
  float: ['1e3', '1.0e3', '1.0e+3', '1.0', '.5', '1.', '0.0', '1e+21', '190:20:30.15', '.inf', '-.Inf'],
  notNumber: ['.NaN', 'NaN', 'Infinity', 'e5', '_', '1.2.3', '0b', '0x', '.bashrc', '80-nginx.conf'],
  timestamp: ['2001-12-14', '2001-12-14 21:59:43.10 -5', '2001-12-14t21:59:43.10-05:00'],
  merge: ['<<', '=', '<<x'],
  jinja: ['{{ 7*7 }}', '{% if x %}y{% endif %}', '{# c #}', 'a{{b}}c', 'a{%b', 'a{#b', '{', '{{', '}}'],
  indicator: ['#x', '- x', '-x', '-', '?', '? x', ':x', '*ref', '&a', '!tag', '%x', '@x', '`x', '|', '>'],
  inside: ['key: value', 'key:', 'a:b', 'a #b', 'a#b', 'a: b: c', 'http://x:80/', '[a]', 'a,b', 'a, b'],
  quote: ["'", '"', '"quoted"', "it's", 'it\'s "x"', '{a: 1}', 'C:\\path\\x', 'a\\nb', 'end\\', '\\'],
  space: [' lead', 'trail ', '  both  ', ' ', '\t', 'a\tb', '\tx', '\u00a0', 'a\u202eb'],
  marker: ['...', '---', '--- x', '... x', '#!jinja|yaml', '#jinja2: {"trim_blocks": true}'],
  salt: ['salt://a/b.conf', 'pkg.installed', '100%', 'yes please', 'no!', '/etc/motd'],
  control: ['\r', 'a\rb', '\x00', '\x07', '\x1b', '\x7f', '\x85', '\u2028', '\u2029', '\ufeff', '\ufeffx'],
  unicode: ['\ufffe', 'café', '日本語', '😀👍🏽', 'שלום עולם', 'مرحبا بالعالم'],
  lines: ['\n', '\n\n', 'a\nb', 'a\n', 'a\n\n', '\na', ' a\nb', '\ta\nb', 'a\r\nb', 'a\n  b\n\tc\n'],
  blockEdge: [' \n  \n', 'a\n   ', 'a\n  \n\n', '#x\n- y\n', 'x\n---\n...\n', 'x\n{{ y }}\n{% z %}'],
  blockJinja: [' {# c #}\n{', '\'"\\\n\t', '\\\\"\n'],
  long: ['x'.repeat(5000), 'a b '.repeat(3000), 'line\n'.repeat(500)],
}
const namedStrings: readonly string[] = Object.values(named).flat()
const shortStrings = namedStrings.filter((s) => s.length < 100)

const longKeys = [1024, 1025].flatMap((n) => [
  'k'.repeat(n),
  '😀'.repeat(n),
  `'${'q'.repeat(n)}`,
  `${'{'.repeat(n)}`,
])

const namedNumbers = [0, 1, -1, 644, 420, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1.5e21, 1e300, -1e300]
namedNumbers.push(Number.MAX_VALUE, Number.MIN_VALUE, 0.1, -0.5, 1.5e-7, 1e-7, 123.456, 1 / 3, -0)
namedNumbers.push(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324, 1e-300)

function stringCase(s: string): Case {
  return {
    name: JSON.stringify(s.slice(0, 40)),
    doc: { value: s, list: [s, [s]], nested: { [s]: s, in: [{ [s]: [s] }] } },
  }
}

describe('emitYaml round trip through Salt', () => {
  it('keeps named strings as values, keys and list items', async () => {
    await expectRoundTrip([
      ...namedStrings.map(stringCase),
      { name: 'all keys', doc: Object.fromEntries(namedStrings.map((s, i) => [s, i])) },
      { name: '__proto__ key', doc: plain({ ['__proto__']: { a: 1 }, b: [] }) as YamlNode },
    ])
  })

  it('keeps long keys (explicit `?` keys past the 1024 character limit)', async () => {
    await expectRoundTrip(
      longKeys.map((k) => ({
        name: `key ${k.slice(0, 3)}×${[...k].length}`,
        doc: { [k]: { [k]: [k, 'x\ny'] } },
      })),
    )
  })

  it('keeps numbers, booleans and null', async () => {
    await expectRoundTrip([
      ...namedNumbers.map((n) => ({ name: String(n), doc: { n, l: [n], m: { [String(n)]: n } } })),
      { name: 'bool and null', doc: { t: true, f: false, z: null, l: [true, false, null] } },
    ])
  })

  it('keeps nested and empty collections', async () => {
    await expectRoundTrip([
      { name: 'empty', doc: { a: [], b: {}, c: [[], {}], d: [[[]]], e: [{ x: [] }, { y: {} }] } },
      {
        name: 'nested',
        doc: { a: [[1, [2, { b: [3, { c: 'x\n y' }] }]], { d: { e: [' z\n', { f: [] }] } }] },
      },
      { name: 'root list', doc: [1, 'on', { a: [{ b: 'c' }] }] },
    ])
  })

  it('renders JinjaExpr values through Jinja', async () => {
    const pillar = new JinjaExpr("salt['pillar.get']('salt_dsl:words') | tojson")
    await expectRoundTrip([
      {
        name: 'jinja expressions',
        jinjaOnly: true,
        doc: { a: new JinjaExpr('7*7'), b: [pillar], c: { d: new JinjaExpr('{"x": [1, "on"]} | tojson') } },
        expected: { a: 49, b: [['on', '0644']], c: { d: { x: [1, 'on'] } } },
      },
    ])
  })

  it('keeps arbitrary nested values (fast-check, one Salt batch)', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 1e9)
    const values = fc.sample(yamlValue, { numRuns: Number(process.env.FC_RUNS ?? 600), seed })
    const roots = fc.sample(fc.dictionary(text, yamlValue, { maxKeys: 5 }), { numRuns: 200, seed: seed + 1 })
    await expectRoundTrip([
      ...values.map((v, i) => ({ name: `seed ${seed} value #${i}`, doc: { v } })),
      ...roots.map((doc, i) => ({ name: `seed ${seed} root #${i}`, doc })),
    ])
  })
})

const trickyChars = [
  ...' \t\n\r:#-{}%\'"\\0123456789.eExXbBoO_+yYnN~<=|>!&*?@`,[]é\u2028\x85\ufeff\x00\x7f\u05d0',
]
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...trickyChars, '😀'), maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(...namedStrings),
  fc.array(fc.constantFrom(...shortStrings), { maxLength: 4 }).map((w) => w.join(' ')),
  fc.array(fc.constantFrom(...shortStrings, ' ', ''), { maxLength: 4 }).map((w) => w.join('\n')),
)
const number = fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(...namedNumbers))
const leaf = fc.oneof(text, number, fc.boolean(), fc.constant(null))
const { yamlValue } = fc.letrec<{ yamlValue: YamlNode }>((tie) => ({
  yamlValue: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('yamlValue'), { maxLength: 4 }),
    fc.dictionary(text, tie('yamlValue'), { maxKeys: 4 }),
  ),
}))

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u))

describe('jinjaLiteral', () => {
  it('renders exactly its text in Salt Jinja', async () => {
    const extra = fc.sample(fc.string({ unit: fc.oneof(fc.constantFrom(...trickyChars), codeUnit) }), 300)
    const texts = [...namedStrings, '\ud800', 'a\udfffb', '\udc00\ud800', ...extra]
    const hexOf = (s: string) => `x${Buffer.from(s, 'utf16le').toString('hex')}`
    const inputs = texts.map((s): SaltRenderInput => {
      const expr = `(${jinjaLiteral(s)}).encode('utf-16-le', 'surrogatepass').hex()`
      return { text: `v: x{{ ${expr} }}\n`, renderer: 'jinja|yaml' }
    })
    const results = await renderWithSalt(inputs)
    const failures = texts.filter((s, i) => !same(results[i], { v: hexOf(s) }))
    expect(failures.map((s) => ({ text: s, literal: jinjaLiteral(s) }))).toEqual([])
  })
})

describe('emitYaml text', () => {
  it('writes the Salt-style example exactly', () => {
    const doc = { git: { 'pkg.installed': [{ name: 'git' }, { require: [{ pkg: 'curl' }] }] } }
    const expected = 'git:\n  pkg.installed:\n    - name: git\n    - require:\n      - pkg: curl\n'
    expect(emitYaml(doc, { jinja: false })).toBe(expected)
    expect(emitYaml(doc, { jinja: true })).toBe(expected)
  })

  it('writes block scalars, nested maps under items, quoting and explicit keys', () => {
    const doc = {
      '/etc/motd': {
        'file.managed': [
          { contents: 'Hello\n  world\n' },
          { mode: '0644' },
          { defaults: { on: 'yes', n: 1.5 } },
        ],
      },
      lead: ' x\ny',
      ['k'.repeat(1025)]: [1],
    }
    expect(emitYaml(doc, { jinja: false })).toBe(
      [
        '/etc/motd:',
        '  file.managed:',
        '    - contents: |',
        '        Hello',
        '          world',
        "    - mode: '0644'",
        '    - defaults:',
        "        'on': 'yes'",
        "        'n': 1.5",
        'lead: |2-',
        '   x',
        '  y',
        `? ${'k'.repeat(1025)}`,
        ':',
        '  - 1',
        '',
      ].join('\n'),
    )
  })

  it('protects Jinja delimiters in jinja mode only', () => {
    const doc = { 'a{#': '{{ x }}', b: 'l1\n{% y %}\n', c: new JinjaExpr('z | tojson') }
    expect(emitYaml(doc, { jinja: true })).toBe(
      `{{ "a{#" }}: {{ "'{{ x }}'" }}\nb: |\n  l1\n  {{ "{% y %}" }}\nc: {{ z | tojson }}\n`,
    )
    expect(emitYaml({ 'a{#': '{{ x }}' }, { jinja: false })).toBe("a{#: '{{ x }}'\n")
  })

  it('writes scalars', () => {
    const plainYaml = { jinja: false }
    expect([1e21, -0, 1e-7, 0.5, Number.NaN, -Infinity].map((n) => yamlScalar(n, plainYaml))).toEqual([
      '1000000000000000000000',
      '-0.0',
      '1.0e-7',
      '0.5',
      '.nan',
      '-.inf',
    ])
    expect(['on', 'a\nb', '\x85', "it's: x", 'pkg.installed'].map((s) => yamlScalar(s, plainYaml))).toEqual([
      "'on'",
      '"a\\nb"',
      '"\\x85"',
      '"it\'s: x"',
      'pkg.installed',
    ])
    expect(yamlScalar('{{', { jinja: true })).toBe(`{{ "'{{'" }}`)
  })

  it('throws YamlEmitError on values it cannot write', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = [cyclic]
    const bad: unknown[] = [
      { a: [new JinjaExpr('x')] },
      { a: '\ud800' },
      { 'b\udc00': 1 },
      cyclic,
      { a: undefined },
      { a: new Date(0) },
      { a: 1n },
      new Array<number>(2),
    ]
    for (const doc of bad) expect(() => emitYaml(doc as YamlNode, { jinja: false })).toThrow(YamlEmitError)
    expect(() => emitYaml({ a: [new JinjaExpr('x')] }, { jinja: false })).toThrow('JinjaExpr in a document')
  })
})
