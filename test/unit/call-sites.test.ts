// The loader writes each call of an imported builder with the position V8 would report for it: checked
// here against V8 itself, by running a module's compiled text as it was and as the loader writes it.
import { Script } from 'node:vm'
import { transformSync } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { columnBefore, insertionsOf, writeCallSites } from '../../compiler/load/call-sites.ts'
import { LOCATED_BUILDERS, LOCATED_PROPERTY } from '../../dsl/origin.ts'

const HEADER = '(function (exports, require, module, __filename, __dirname, __salt_dsl_file) {\n'
const FILE = '/config/module.ts'

type Call = [name: string, line: number, column: number]

/** A stand-in for the authoring API: each builder records where it was called, by a stack capture or as passed. */
function fakeApi(calls: Call[]): Record<string, unknown> {
  const api: Record<string, unknown> = { when: (_c: unknown, body: () => void) => body() }
  for (const name of [...LOCATED_BUILDERS, 'text']) {
    const builder = (...args: unknown[]) => {
      const holder: { stack?: NodeJS.CallSite[] } = {}
      const prepare = Error.prepareStackTrace
      Error.prepareStackTrace = (_e, sites) => sites
      Error.captureStackTrace(holder, builder)
      const site = holder.stack![0]!
      Error.prepareStackTrace = prepare
      calls.push([name, site.getLineNumber()!, site.getColumnNumber()!])
      return args[0]
    }
    Object.defineProperty(builder, LOCATED_PROPERTY, {
      value: (_file: string, line: number, column: number, ...args: unknown[]) => {
        calls.push([name, line, column])
        return args[0]
      },
    })
    api[name] = builder
  }
  return api
}

function run(code: string): Call[] {
  const calls: Call[] = []
  const api = fakeApi(calls)
  const fn = new Script(`${HEADER}${code}\n})`, { filename: FILE }).runInThisContext()
  const require = (spec: string) => (spec === 'salt-dsl' ? api : {})
  fn({}, require, { exports: {} }, FILE, '/config', FILE)
  return calls
}

function compile(source: string) {
  const out = transformSync(source, {
    loader: 'ts',
    format: 'cjs',
    sourcemap: 'external',
    sourcesContent: false,
    sourcefile: FILE,
  })
  return { ...out, located: writeCallSites(out.code, out.map, source, 1) }
}

const SOURCE = `import { pkg, service as svc, sls, text, when } from 'salt-dsl'
import * as dsl from 'salt-dsl'
const tools = ['a', 'b'].map((name) => pkg(name, { refresh: true }))
sls('x', () => {
  const web = svc(pkg('nginx'), { watch: [pkg(  'inner'  )] }); dsl.pkg('through the namespace')
  if (tools.length > 1) svc('db', {})
  when(true, () => { pkg(\`\${text\`t\`}-tail\`) })
  const multi = pkg(
    'spread over lines',
  )
  const decoy = '(0, \\x69mport_salt_dsl.pkg)("not a call")'
  void [web, multi, decoy]
})
`

describe('call positions written into compiled modules', () => {
  it('passes every located call the position a stack capture gives, and leaves other calls alone', () => {
    const { code, located } = compile(SOURCE)
    expect(located.code).not.toBe(code)
    // the same calls, in the same order, at the same positions
    expect(run(located.code)).toEqual(run(code))
    // the namespace call and the tagged template are not located; the decoy string is as it was
    expect(located.code).toContain('dsl.pkg("through the namespace")')
    expect(located.code).toContain(`'(0, import_salt_dsl.pkg)("not a call")'`)
    expect(located.sites).toHaveLength(8)
  })

  it('maps a column V8 reports in the located text back to the compiled one', () => {
    const { code, located } = compile(SOURCE)
    const lines = code.split('\n')
    const after = located.code.split('\n')
    const byLine = insertionsOf(located.code, located.sites)
    for (let line = 0; line < lines.length; line++) {
      // every character the compiler wrote is where the insertions put it
      for (let column = 0; column < lines[line]!.length; column++) {
        const ch = lines[line]![column]
        const inserted = byLine.get(line)
        const moved = shiftedColumn(inserted, column)
        expect(after[line]![moved]).toBe(ch)
        expect(columnBefore(inserted, moved)).toBe(column)
      }
    }
  })

  it('locates calls beside a variable named as the binding, and through a default import', () => {
    const shadowed = compile(`import { pkg } from 'salt-dsl'
const import_salt_dsl = 1
pkg('x', { id: String(import_salt_dsl) })
`)
    expect(shadowed.located.code).toContain(`(0, import_salt_dsl.pkg.${LOCATED_PROPERTY})(`)
    expect(run(shadowed.located.code)).toEqual(run(shadowed.code))
    const mixed = compile(`import api, {
  pkg as install, // packages
  /* the module */ sls,
} from 'salt-dsl'
sls('a', () => { install('x'); void api })
`)
    expect(mixed.located.sites).toHaveLength(2)
    expect(run(mixed.located.code)).toEqual(run(mixed.code))
  })

  it('leaves a module that does not import the API as it is', () => {
    const plain = compile('export const pkg = (x: string) => x\npkg("y")\n')
    expect(plain.located).toEqual({ code: plain.code, sites: [] })
  })
})

/** Where column `column` of the compiled text is in the located one (the insertions before it added). */
function shiftedColumn(insertions: readonly number[] | undefined, column: number): number {
  let shift = 0
  for (let i = 0; i < (insertions?.length ?? 0); i += 2) {
    const at = insertions![i]!
    const length = insertions![i + 1]!
    if (at - shift > column) break
    shift += length
  }
  return column + shift
}
