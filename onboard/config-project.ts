/** The config's TypeScript as ts-morph reads it, for edits that keep everything else byte for byte. */
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { type CallExpression, Node, Project, type SourceFile } from 'ts-morph'

/** Opens every `.ts` file under the config root (no tsconfig, no node_modules: nothing else is edited). */
export function openConfig(root: string): Project {
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true })
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) project.addSourceFileAtPath(path)
    }
  }
  walk(root)
  return project
}

/** The calls of salt-dsl's export `name` in `file` (imported by name, aliased, or through `import * as`). */
export function callsOf(file: SourceFile, name: string): CallExpression[] {
  const direct = new Set<string>()
  const namespaces = new Set<string>()
  for (const decl of file.getImportDeclarations()) {
    if (decl.getModuleSpecifierValue() !== 'salt-dsl') continue
    for (const named of decl.getNamedImports()) {
      if (named.getName() === name) direct.add(named.getAliasNode()?.getText() ?? name)
    }
    const ns = decl.getNamespaceImport()
    if (ns) namespaces.add(ns.getText())
  }
  if (direct.size === 0 && namespaces.size === 0) return []
  return file.getDescendants().filter((n): n is CallExpression => {
    if (!Node.isCallExpression(n)) return false
    const callee = n.getExpression()
    if (Node.isIdentifier(callee)) return direct.has(callee.getText())
    return (
      Node.isPropertyAccessExpression(callee) &&
      callee.getName() === name &&
      namespaces.has(callee.getExpression().getText())
    )
  })
}

/** A string literal's value, or undefined for anything else. */
export function stringValue(node: Node | undefined): string | undefined {
  return node && (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node))
    ? node.getLiteralValue()
    : undefined
}

/** `'x'` in the quote style the file already uses. */
export function quoteFor(file: SourceFile): (s: string) => string {
  const first = file.getFirstDescendant((n) => Node.isStringLiteral(n))
  const q = first?.getText().startsWith('"') ? '"' : "'"
  return (s) => `${q}${s.replace(/\\/g, '\\\\').replaceAll(q, `\\${q}`)}${q}`
}
