import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Project, ts } from 'ts-morph'
import { describe, expect, it } from 'vitest'
import { checkStateArgs, lookupStateFunction } from '../../dsl/catalog/index.ts'
import { REPO, tempDir } from '../support/cli.ts'

/**
 * The corpus: every state call in the `.. code-block:: yaml` examples of the pinned Salt's state modules,
 * type-checked as `state(fn, args)` through the published declarations, as a user's project would be.
 * A rejection is either listed below as a true one (the example is wrong for Salt 3008.4, or passes an
 * argument on to the execution module, which takes `extra`), or a false rejection: a test failure.
 */

interface Example {
  readonly module: string
  readonly line: number
  readonly id: string
  readonly fn: string
  readonly args: Readonly<Record<string, unknown>>
  readonly requisites: readonly string[]
}

interface Corpus {
  readonly blocks: Readonly<Record<string, number>>
  readonly examples: readonly Example[]
}

/**
 * Rejections that are right: `module.fn argument` with the reason. Each was read against Salt 3008.4's
 * code; an argument here is one the function neither names nor documents, so Salt passes it on.
 */
const TRUE_REJECTIONS: Readonly<Record<string, string>> = {
  "at.watch at.py:238 'minion_restart'":
    "`unique_tag: trye` is a typo in Salt's docs: the docstring says `unique_tag : boolean`",
  "chocolatey.source_present chocolatey.py:431 'add_some_source'":
    'the function takes `source_location`, not `source`, and no **kwargs: Salt refuses the call',
  "cmd.wait cmd.py:367 'script-bar'":
    "`env` as a string: cmd.run (which cmd.wait's mod_watch calls) fails with \"Invalidly-formatted 'env' parameter\"",
  "cmd.wait_script cmd.py:518 'salt://scripts/bar.sh'":
    '`env` as a string: cmd.script (which mod_watch calls) fails with "Invalidly-formatted \'env\' parameter"',
  "cmd.run cmd.py:662 'script-bar'": '`env` as a string: "Invalidly-formatted \'env\' parameter"',
  "cmd.script cmd.py:956 'salt://scripts/bar.sh'":
    '`env` as a string: "Invalidly-formatted \'env\' parameter"',
  "file.replace file.py:5788 'complex_search_and_replace'":
    'the example shows only `pattern`; `repl` is required (Salt: "Missing parameter repl")',
  "acl.list_absent linux_acl.py:1 'root'":
    'list_absent takes no `perms` (only list_present does) and no **kwargs: Salt refuses the call',
  "rabbitmq_vhost.present rabbitmq_vhost.py:1 'virtual_host'":
    'present(name) takes no `user` (removed from the signature) and no **kwargs: Salt refuses the call',
}

function corpus(): Corpus {
  const python = join(REPO, '.venv/bin/python')
  const out = execFileSync(python, [join(REPO, 'test/support/salt-doc-examples.py')], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  return JSON.parse(out) as Corpus
}

/** The type errors of each call, by its index in `calls`. */
function typeErrors(calls: readonly Example[]): Map<number, string[]> {
  const dir = tempDir('salt-dsl-corpus-')
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(REPO, join(dir, 'node_modules', 'salt-dsl'))
  writeFileSync(join(dir, 'package.json'), '{ "name": "corpus", "type": "module" }\n')
  const header = ["import { sls, state } from 'salt-dsl'", "sls('corpus', () => {"]
  const lines = calls.map((c) => {
    const args = JSON.stringify({ id: c.id, ...c.args })
    return `  state(${JSON.stringify(c.fn)}, ${args})`
  })
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      exactOptionalPropertyTypes: true,
    },
  })
  const file = project.createSourceFile(join(dir, 'index.ts'), [...header, ...lines, '})', ''].join('\n'))
  const found = new Map<number, string[]>()
  for (const d of file.getPreEmitDiagnostics()) {
    const line = d.getLineNumber() ?? 0
    const index = line - header.length - 1
    const text = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, ' ')
    found.set(index, [...(found.get(index) ?? []), `TS${d.getCode()}: ${text}`])
  }
  return found
}

/** Salt's slots (`__slot__:salt:pillar.get(x)`): a string Salt replaces with a call's result, of any type. */
const usesSlot = (value: unknown): boolean =>
  typeof value === 'string'
    ? value.startsWith('__slot__:')
    : value !== null && typeof value === 'object' && Object.values(value).some(usesSlot)

/** What the function takes by name (so it goes in the arguments), and what it passes on (`extra`). */
function split(c: Example): { named: Record<string, unknown>; passOn: Record<string, unknown> } {
  const named: Record<string, unknown> = {}
  const passOn: Record<string, unknown> = {}
  const entry = lookupStateFunction(c.fn)!
  for (const [key, value] of Object.entries(c.args)) {
    const byName = !checkStateArgs(c.fn, ['name', key]).some((i) => i.code === 'unknown-arg')
    if (byName || !entry.kwargs) named[key] = value
    else passOn[key] = value
  }
  return { named, passOn }
}

describe("Salt's own documentation examples, typed", () => {
  it('accepts every example call, but for the listed true rejections', () => {
    const { blocks, examples } = corpus()
    const known = examples.filter((e) => lookupStateFunction(e.fn) !== undefined)
    const slots = known.filter((e) => usesSlot(e.args))
    const calls = known.filter((e) => !usesSlot(e.args))
    const written = calls.map((c) => {
      const { named, passOn } = split(c)
      return Object.keys(passOn).length === 0
        ? { ...c, args: named }
        : { ...c, args: { ...named, extra: passOn } }
    })
    const withExtra = written.filter((c) => 'extra' in c.args)
    const errors = typeErrors(written)
    const rejected = [...errors].map(([i, messages]) => {
      const c = written[i]
      return c === undefined ? `line ${i}: ${messages.join('; ')}` : `${key(c)}: ${messages.join('; ')}`
    })
    const falseRejections = rejected.filter((r) => !(r.slice(0, r.indexOf(': ')) in TRUE_REJECTIONS))
    console.log(
      [
        `corpus: ${blocks.total} yaml blocks (${blocks.jinja} with Jinja, ${blocks.not_yaml} not YAML, ` +
          `${blocks.not_sls} not state calls); ${examples.length} state calls, ${known.length} of catalog functions`,
        `  ${slots.length} use Salt slots (not typed), ${calls.length} checked`,
        `  ${withExtra.length} pass arguments on through \`extra\`: ` +
          [...new Set(withExtra.map((c) => `${c.fn} ${Object.keys(c.args.extra as object).join(',')}`))].join(
            '; ',
          ),
        `  rejected: ${rejected.length} (true: ${rejected.length - falseRejections.length}, false: ${falseRejections.length})`,
        ...rejected.map((r) => `    ${r}`),
      ].join('\n'),
    )
    // the compiler's own check (DSL3004-3006) agrees: it rejects no call but listed ones
    const compiler = written.filter((c) => {
      const { extra, ...named } = c.args as Record<string, unknown>
      const extraNames = extra === undefined ? [] : Object.keys(extra as object)
      return checkStateArgs(c.fn, ['name', ...Object.keys(named)], extraNames).length > 0
    })
    expect(compiler.map(key).filter((k) => !(k in TRUE_REJECTIONS))).toEqual([])
    expect(calls.length).toBeGreaterThan(500)
    expect(falseRejections).toEqual([])
    // every listed rejection still happens (a fixed type or example leaves the list)
    expect(rejected.map((r) => r.slice(0, r.indexOf(': '))).sort()).toEqual(
      Object.keys(TRUE_REJECTIONS).sort(),
    )
  })
})

function key(c: Example): string {
  return `${c.fn} ${c.module}:${c.line} '${c.id}'`
}
