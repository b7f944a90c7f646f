// Writes docs/diagnostics.md from the code itself: every DSL code the compiler, the authoring API, the
// operate commands and the onboarding raise, with the message and the hint written where it is raised.
// `node scripts/gen-diagnostics-doc.js` writes the page; test/docs/generated-docs.test.ts checks it is current.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Node, Project, SyntaxKind } from 'ts-morph'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..')
// every source directory that raises diagnostics (the docs test greps the same list)
export const DIRS = ['compiler', 'dsl', 'import', 'machine', 'onboard', 'report', 'secrets']
const CODE = /^DSL\d{4}$/

const BANDS = [
  [
    'DSL1',
    'Load',
    'the config does not compile or throws, a builder is misused, or the config does what a config may not (see [What a config may do](writing-states.md#what-a-config-may-do))',
  ],
  ['DSL2', 'Type-check', 'TypeScript itself (`TSxxxx` codes are tsc’s own: see the TypeScript handbook)'],
  ['DSL3', 'Graph', 'duplicate IDs, requisite cycles, arguments, the Salt catalog, loops, external Salt'],
  ['DSL4', 'Resolve', 'pillar, inventory, platforms, per-machine checks'],
  [
    'DSL5',
    'Write and Salt cross-check',
    '`out/` and the files shipped with `source:`; DSL5001–DSL5004 are `dsl check --salt`’s disagreements with Salt',
  ],
  ['DSL6', 'Operate', '`dsl plan`, `apply`, `rollback`, `drift`: a state Salt reports failed or blocked'],
  ['DSL7', 'Onboarding', '`dsl init`, `dsl machine`'],
  ['DSL8', 'Import', '`dsl import`: a Salt tree or this machine’s packages read into a config'],
]

/** `'a ' + x` or `` `a ${x}` `` as text a reader understands: interpolations become `…`. */
function literalText(node) {
  if (!node) return undefined
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralText()
  if (Node.isTemplateExpression(node)) {
    let text = node.getHead().getLiteralText()
    for (const span of node.getTemplateSpans()) text += `…${span.getLiteral().getLiteralText()}`
    return text
  }
  if (Node.isBinaryExpression(node) && node.getOperatorToken().getText() === '+') {
    return `${literalText(node.getLeft()) ?? '…'}${literalText(node.getRight()) ?? '…'}`
  }
  if (Node.isParenthesizedExpression(node)) return literalText(node.getExpression())
  return undefined
}

/** A literal, or a name whose declaration in an enclosing scope is one (`const message = `…``). */
function textOf(node) {
  const direct = literalText(node)
  if (direct !== undefined || !node || !Node.isIdentifier(node)) return direct
  const name = node.getText()
  for (let scope = node.getParent(); scope; scope = scope.getParent()) {
    const decl = scope
      .getDescendantsOfKind?.(SyntaxKind.VariableDeclaration)
      ?.find((d) => d.getName() === name && d.getStart() < node.getStart())
    if (decl) return literalText(decl.getInitializer())
    if (Node.isSourceFile(scope)) break
  }
  return undefined
}

function hintOf(options) {
  if (!options) return undefined
  // addIssue(code, message, origin, 'hint'): a helper that takes the hint itself
  if (!Node.isObjectLiteralExpression(options)) return textOf(options)
  const prop = options.getProperty('hint')
  if (prop && Node.isShorthandPropertyAssignment(prop)) return textOf(prop.getNameNode())
  if (!prop || !Node.isPropertyAssignment(prop)) return undefined
  return textOf(prop.getInitializer())
}

/** Every place a DSL code is written in the sources, with its message and hint where it is a call. */
export function collectCodes(repo = REPO) {
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true })
  for (const dir of DIRS) project.addSourceFilesAtPaths(join(repo, dir, '**/*.ts'))
  const codes = new Map()
  for (const file of project.getSourceFiles()) {
    const path = relative(repo, file.getFilePath())
    file.forEachDescendant((node) => {
      if (!Node.isStringLiteral(node) || !CODE.test(node.getLiteralText())) return
      const code = node.getLiteralText()
      const entry = codes.get(code) ?? { code, messages: new Set(), hints: new Set(), places: new Set() }
      codes.set(code, entry)
      entry.places.add(path)
      const call = node.getParent()
      if (Node.isCallExpression(call) && call.getArguments()[0] === node) {
        const [, message, , options] = call.getArguments()
        const m = textOf(message)
        if (m) entry.messages.add(m)
        const h = hintOf(options)
        if (h) entry.hints.add(h)
      }
    })
  }
  return [...codes.values()].sort((a, b) => (a.code < b.code ? -1 : 1))
}

// Codes whose message is composed away from the call (a table of codes, a helper that builds it): their cause
// and fix in words. The generator fails when one of these codes is no longer raised, so none goes stale.
const NOTES = {
  DSL1009: [
    "`sls('…') is declared twice` (first at …): two `sls()` calls use one SLS name",
    'give one of them another name',
  ],
  DSL1085: [
    'a `secret()` is turned into text (joined into a string), which would put it in the SLS in clear',
    'pass the secret itself as an argument’s value (e.g. `contents`): Salt reads it from the machine’s encrypted pillar',
  ],
  DSL3004: [
    "`state('module.function')` names no state function of the pinned Salt (the message says which one it most likely meant)",
    'use the name suggested; a module Salt ships separately is reached with `extensionState()`',
  ],
  DSL3005: [
    'an argument the Salt state function requires is missing (from the Salt catalog)',
    'give it; the catalog page lists each function’s required arguments',
  ],
  DSL3006: [
    'an argument the Salt state function neither names nor documents (a misspelling, most often; Salt would pass it on to the execution module, which ignores it)',
    'fix the name (the message suggests one); an argument the function only passes on goes in `extra`',
  ],
  DSL3080: [
    "a Jinja template shipped with `template: 'jinja'` has a syntax error (found by Salt’s own Jinja at build time, at the template’s line)",
    'fix the template at the line shown; Salt would fail this state at apply with the same error',
  ],
  DSL3081: [
    'a Jinja template uses a filter Salt’s Jinja does not have',
    'use a filter Salt’s Jinja has; Salt would fail this state at apply with the same error',
  ],
  DSL3082: [
    'a Jinja template reads a variable its state’s `context` does not give',
    'add it to the state’s `context`, fix the name (the hint suggests the closest and lists the names given), or guard it with `is defined`',
  ],
  DSL4008: [
    "`layer '…' is declared twice` (first at …): two `layer()` calls use one layer path",
    'merge the two, or give one another path',
  ],
  DSL4009: [
    '`pillarSchema()` is called twice',
    'one schema describes the merged pillar: call it once and export `pillar` and `layer`',
  ],
}

const oneLine = (s) => s.replace(/\s+/g, ' ').trim()
const quote = (s) => `\`${oneLine(s).replaceAll('`', "'")}\``

/** The Markdown of docs/diagnostics.md. */
export function diagnosticsPage(repo = REPO) {
  const codes = collectCodes(repo)
  const out = [
    '<!-- Generated by scripts/gen-diagnostics-doc.js from the sources: do not edit. -->',
    '# Diagnostics',
    '',
    'Every diagnostic salt-dsl prints has a code, a `file:line:col` in your TypeScript, a code frame and, most',
    'often, a hint; under the hint it prints `see docs/diagnostics.md#<code>`, this page. The message says what',
    'is wrong (the cause); the hint says what to do (the fix). Both are quoted here as the code writes them (`…`',
    'stands for the part filled in from your config). Exit codes: 0 clean, 1 diagnostics, 2 usage or internal',
    'error. `dsl check --format json` gives the same diagnostics as data.',
    '',
    'Codes are banded by stage:',
    '',
  ]
  for (const [prefix, name, what] of BANDS) out.push(`- \`${prefix}xxx\` ${name}: ${what}.`)
  out.push('', 'See also [Troubleshooting](troubleshooting.md).', '')
  const stale = Object.keys(NOTES).filter((code) => !codes.some((c) => c.code === code))
  if (stale.length > 0) throw new Error(`NOTES names codes no source raises: ${stale}`)
  const unbanded = codes.filter((c) => !BANDS.some(([prefix]) => c.code.startsWith(prefix)))
  if (unbanded.length > 0)
    throw new Error(`codes of no band (add one to BANDS): ${unbanded.map((c) => c.code)}`)
  for (const [prefix, name] of BANDS) {
    const band = codes.filter((c) => c.code.startsWith(prefix))
    if (band.length === 0) continue
    out.push(`## ${name} (${prefix}xxx)`, '')
    for (const c of band) {
      out.push(`### ${c.code}`, '')
      const note = NOTES[c.code]
      const messages = note && c.messages.size === 0 ? [note[0]] : [...c.messages].map(quote)
      const hints = note && c.hints.size === 0 ? [note[1]] : [...c.hints].map(quote)
      out.push(
        messages.length > 0
          ? `Cause: ${messages.join('; or ')}`
          : 'Cause: raised where the message is composed from data; see the message printed.',
      )
      out.push('')
      out.push(
        hints.length > 0 ? `Fix: ${hints.join('; or ')}` : 'Fix: see the message; it names what to change.',
      )
      out.push('')
      out.push(`Raised in: ${[...c.places].map((p) => `\`${p}\``).join(', ')}`)
      out.push('')
    }
  }
  return `${out.join('\n').trimEnd()}\n`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = join(REPO, 'docs', 'diagnostics.md')
  const text = diagnosticsPage()
  const before = (() => {
    try {
      return readFileSync(path, 'utf8')
    } catch {
      return ''
    }
  })()
  if (process.argv.includes('--check')) {
    // for the docs test: say whether the page is current, write nothing
    console.log(`${path}: ${before === text ? 'current' : 'stale: run node scripts/gen-diagnostics-doc.js'}`)
    process.exit(before === text ? 0 : 1)
  }
  if (before !== text) writeFileSync(path, text)
  console.log(`${path}: ${before === text ? 'current' : 'written'}`)
}
