/** The edits of `dsl machine add` / `remove`: the inventory entry, its machine layer, and what they need. */
import { dirname, relative } from 'node:path'
import {
  type CallExpression,
  Node,
  type ObjectLiteralExpression,
  type Project,
  type SourceFile,
} from 'ts-morph'
import { error, type StageResult } from '../compiler/diagnostics.ts'
import type { Platform } from '../dsl/platform.ts'
import { callsOf, quoteFor, stringValue } from './config-project.ts'
import { type InventorySite, machineIds, originOf, propertyName, unwrap } from './find-inventory.ts'
import { addProperty, applyEdits, removeNode, type TextEdit } from './text-edits.ts'

export interface NewMachine {
  readonly id: string
  readonly platform: Platform
  readonly environment: string
  readonly profile: string
  readonly users: readonly string[]
}

/** New text per changed file (absolute path → contents). */
export type FileChanges = Map<string, string>

/** The profiles the config declares: `const x = profile('name', ...)`, by name. */
export function declaredProfiles(project: Project): Map<string, { variable: string; file: SourceFile }> {
  const found = new Map<string, { variable: string; file: SourceFile }>()
  for (const file of project.getSourceFiles()) {
    for (const call of callsOf(file, 'profile')) {
      const name = stringValue(call.getArguments()[0])
      const decl = call.getParent()
      if (name !== undefined && decl && Node.isVariableDeclaration(decl))
        found.set(name, { variable: decl.getName(), file })
    }
  }
  return found
}

/** The environments the config knows: its `environments/<name>` layers and its machines' environments. */
export function knownEnvironments(project: Project): string[] {
  const names = new Set<string>()
  for (const file of project.getSourceFiles())
    for (const s of file.getDescendants()) {
      const v = stringValue(s)
      if (v?.startsWith('environments/')) names.add(v.slice('environments/'.length))
      if (Node.isPropertyAssignment(s) && propertyName(s) === 'environment') {
        const e = stringValue(s.getInitializer())
        if (e !== undefined) names.add(e)
      }
    }
  return [...names].sort()
}

class Edits {
  readonly byFile = new Map<SourceFile, TextEdit[]>()
  add(file: SourceFile, ...edits: TextEdit[]) {
    this.byFile.set(file, [...(this.byFile.get(file) ?? []), ...edits])
  }
  result(): FileChanges {
    const out: FileChanges = new Map()
    for (const [file, edits] of this.byFile)
      out.set(file.getFilePath(), applyEdits(file.getFullText(), edits))
    return out
  }
}

/** Plans the registration of `m`: what each file becomes (nothing is written). */
export function addMachineEdits(
  project: Project,
  site: InventorySite,
  m: NewMachine,
): StageResult<FileChanges | undefined> {
  const at = originOf(site.call)
  if (machineIds(site.machines).includes(m.id))
    return fail(
      'DSL7003',
      `machine '${m.id}' is already in the inventory`,
      at,
      '`dsl machine list` shows it; `dsl machine remove` drops it',
    )
  const profiles = declaredProfiles(project)
  const profile = profiles.get(m.profile)
  if (profile === undefined) {
    const known = [...profiles.keys()].join(', ') || 'none'
    return fail(
      'DSL7004',
      `no profile '${m.profile}' in the config (known: ${known})`,
      at,
      'pass --profile with one of them, or declare it with profile()',
    )
  }
  const file = site.file
  const q = quoteFor(file)
  const edits = new Edits()
  // the profile handle must be in scope where the machine is written
  if (profile.file !== file) edits.add(file, ...importEdits(file, profile.variable, profile.file))
  const entry = entryText(site.machines, q, m, profile.variable)
  edits.add(file, ...addProperty(site.machines, key(m.id, q, site.machines), entry))
  // the machine layer: in each map keyed by every machine (the bundled config's `extras`), else a layer() call
  const maps = siblingMaps(file, site.machines)
  for (const map of maps) edits.add(file, ...addProperty(map, key(m.id, q, map), '{}'))
  if (maps.length === 0) {
    const layer = layerCalls(project)
    const anchor = layer.machines.filter((c) => c.getSourceFile() === file).at(-1)
    const statement = (anchor ?? site.call).getFirstAncestor(
      (n) => Node.isStatement(n) && Node.isSourceFile(n.getParent()),
    )
    if (statement === undefined)
      return fail(
        'DSL7005',
        'the inventory call is not a top-level statement',
        at,
        'call inventory() at the top level of its file',
      )
    const call = `layer(${q(`machines/${m.id}`)}, {})`
    const needsImport = !inScope(file, 'layer') && layer.declaredIn !== undefined && layer.declaredIn !== file
    if (needsImport) edits.add(file, ...importEdits(file, 'layer', layer.declaredIn!))
    if (!inScope(file, 'layer') && layer.declaredIn === undefined)
      return fail(
        'DSL7005',
        'the config has no `layer` from pillarSchema() to declare the machine layer with',
        at,
        'declare the schema: `export const { pillar, layer } = pillarSchema(...)`',
      )
    edits.add(
      file,
      anchor
        ? { pos: statement.getEnd(), length: 0, text: `\n${call}` }
        : { pos: statement.getStart(), length: 0, text: `${call}\n\n` },
    )
  }
  // a new environment gets its (empty) layer beside the others, so it is not taken for a typo (DSL4011)
  const envLayers = layerCalls(project).environments
  if (!envLayers.some((c) => stringValue(c.getArguments()[0]) === `environments/${m.environment}`)) {
    const anchor = envLayers.at(-1)
    const statement = anchor?.getFirstAncestor((n) => Node.isStatement(n) && Node.isSourceFile(n.getParent()))
    if (anchor && statement) {
      const eq = quoteFor(anchor.getSourceFile())
      edits.add(anchor.getSourceFile(), {
        pos: statement.getEnd(),
        length: 0,
        text: `\n${anchor.getExpression().getText()}(${eq(`environments/${m.environment}`)}, {})`,
      })
    }
  }
  // the scaffold's list of people whose dotfiles are managed
  const users = usersList(project)
  if (users) {
    const have = new Set(users.getElements().map((e) => stringValue(e)))
    const uq = quoteFor(users.getSourceFile())
    const missing = m.users.filter((u) => !have.has(u))
    if (missing.length > 0) {
      const lastEl = users.getElements().at(-1)
      const text = missing.map(uq).join(', ')
      edits.add(
        users.getSourceFile(),
        lastEl
          ? { pos: lastEl.getEnd(), length: 0, text: `, ${text}` }
          : { pos: users.getStart() + 1, length: 0, text },
      )
    }
  }
  return { value: edits.result(), diagnostics: [] }
}

/** Plans the removal of machine `id`: its entry, its entries in the maps keyed by machine, its layer() calls. */
export function removeMachineEdits(
  project: Project,
  site: InventorySite,
  id: string,
): StageResult<FileChanges | undefined> {
  const prop = site.machines.getProperties().find((p) => propertyName(p) === id)
  if (prop === undefined) {
    const known = machineIds(site.machines).join(', ') || 'none'
    return fail(
      'DSL7006',
      `no machine '${id}' in the inventory (known: ${known})`,
      originOf(site.call),
      '`dsl machine list` shows them',
    )
  }
  const edits = new Edits()
  for (const map of siblingMaps(site.file, site.machines)) {
    const entry = map.getProperties().find((p) => propertyName(p) === id)
    if (entry) edits.add(site.file, removeNode(entry))
  }
  edits.add(site.file, removeNode(prop))
  for (const call of layerCalls(project).machines) {
    if (stringValue(call.getArguments()[0]) !== `machines/${id}`) continue
    const statement = call.getParent()
    if (statement && Node.isExpressionStatement(statement))
      edits.add(call.getSourceFile(), removeNode(statement))
  }
  return { value: edits.result(), diagnostics: [] }
}

function fail(code: string, message: string, origin: ReturnType<typeof originOf>, hint: string) {
  return { value: undefined, diagnostics: [error(code, message, origin, { hint })] }
}

/** The id as a key, quoted when it must be or when the keys before it are. */
function key(id: string, q: (s: string) => string, obj: ObjectLiteralExpression): string {
  const last = obj.getProperties().at(-1)
  const quoted =
    last !== undefined && Node.isPropertyAssignment(last) && Node.isStringLiteral(last.getNameNode())
  return /^[A-Za-z_$][\w$]*$/.test(id) && !quoted ? id : q(id)
}

/** The entry in the layout of the entries before it: one line each, or one property per line. */
function entryText(
  machines: ObjectLiteralExpression,
  q: (s: string) => string,
  m: NewMachine,
  profileVar: string,
): string {
  const fields = [
    `platform: ${q(m.platform)}`,
    `environment: ${q(m.environment)}`,
    `profile: ${profileVar}`,
    `users: [${m.users.map(q).join(', ')}]`,
  ]
  const last = machines.getProperties().at(-1)
  const value = last && Node.isPropertyAssignment(last) ? last.getInitializer() : undefined
  if (value === undefined || value.getStartLineNumber() === value.getEndLineNumber())
    return `{ ${fields.join(', ')} }`
  const text = value.getSourceFile().getFullText()
  const lineStart = text.lastIndexOf('\n', last!.getStart()) + 1
  const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? ''
  const inner = `${indent}${indent.length > 0 ? indent.slice(0, Math.max(2, indent.length / 2)) : '  '}`
  return `{\n${fields.map((f) => `${inner}${f},`).join('\n')}\n${indent}}`
}

/** Other object literals of the file keyed by every machine id (per-machine values, e.g. layers). */
function siblingMaps(file: SourceFile, machines: ObjectLiteralExpression): ObjectLiteralExpression[] {
  const ids = machineIds(machines)
  if (ids.length === 0) return []
  return file.getVariableDeclarations().flatMap((d) => {
    const obj = unwrap(d.getInitializer())
    if (obj === undefined || obj === machines) return []
    const keys = new Set(machineIds(obj))
    return ids.every((id) => keys.has(id)) && keys.size === ids.length ? [obj] : []
  })
}

/** The config's layer() calls for machines and environments, and where its `layer` is declared. */
function layerCalls(project: Project) {
  const machines: CallExpression[] = []
  const environments: CallExpression[] = []
  let declaredIn: SourceFile | undefined
  for (const file of project.getSourceFiles()) {
    for (const decl of file.getVariableDeclarations()) {
      const init = decl.getInitializer()
      if (
        init &&
        Node.isCallExpression(init) &&
        callsOf(file, 'pillarSchema').includes(init) &&
        decl.getNameNode().getText().includes('layer')
      )
        declaredIn = file
    }
    for (const call of file.getDescendants()) {
      if (!Node.isCallExpression(call)) continue
      const callee = call.getExpression()
      if (!Node.isIdentifier(callee) || callee.getText() !== 'layer') continue
      const path = stringValue(call.getArguments()[0])
      if (path?.startsWith('machines/')) machines.push(call)
      if (path?.startsWith('environments/')) environments.push(call)
    }
  }
  return { machines, environments, declaredIn }
}

/** Whether `name` is imported or declared at the top level of `file`. */
function inScope(file: SourceFile, name: string): boolean {
  if (
    file
      .getImportDeclarations()
      .some((d) => d.getNamedImports().some((n) => (n.getAliasNode()?.getText() ?? n.getName()) === name))
  )
    return true
  return file.getVariableDeclarations().some(
    (d) =>
      d
        .getNameNode()
        .getText()
        .match(new RegExp(`\\b${name}\\b`)) !== null,
  )
}

/** An import of `name` from `from` into `file`: added to an import of that module, or a new import line. */
function importEdits(file: SourceFile, name: string, from: SourceFile): TextEdit[] {
  if (inScope(file, name)) return []
  const target = from.getFilePath().replace(/\.ts$/, '')
  const existing = file.getImportDeclarations().find((d) => {
    const spec = d.getModuleSpecifierValue()
    if (!spec.startsWith('.')) return false
    return (
      `${dirname(file.getFilePath())}/${spec}`.replace(/\/\.\//g, '/').replace(/\.(ts|js)$/, '') === target ||
      relativeSpec(file, from, '') === spec.replace(/\.(ts|js)$/, '')
    )
  })
  const named = existing?.getNamedImports().at(-1)
  if (existing && named) return [{ pos: named.getEnd(), length: 0, text: `, ${name}` }]
  const ext =
    file
      .getImportDeclarations()
      .map((d) => /\.(ts|js)$/.exec(d.getModuleSpecifierValue())?.[0])
      .find((e) => e !== undefined) ?? ''
  const q = quoteFor(file)
  const line = `import { ${name} } from ${q(relativeSpec(file, from, ext))}\n`
  const lastImport = file.getImportDeclarations().at(-1)
  return [
    lastImport
      ? { pos: lastImport.getEnd(), length: 0, text: `\n${line.trimEnd()}` }
      : { pos: 0, length: 0, text: line },
  ]
}

function relativeSpec(file: SourceFile, from: SourceFile, ext: string): string {
  const rel = relative(dirname(file.getFilePath()), from.getFilePath()).replace(/\.ts$/, ext)
  return rel.startsWith('.') ? rel : `./${rel}`
}

/** The scaffold's `export const users = [...]` of plain strings, if the config has one. */
function usersList(project: Project) {
  for (const file of project.getSourceFiles()) {
    const decl = file.getVariableDeclaration('users')
    const init = decl?.getInitializer()
    if (
      decl?.isExported() &&
      init &&
      Node.isArrayLiteralExpression(init) &&
      init.getElements().every((e) => stringValue(e) !== undefined)
    )
      return init
  }
  return undefined
}
