import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { SaltOracle } from '../support/salt.ts'

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
