import { relative } from 'node:path'
import {
  type CallExpression,
  Node,
  type ObjectLiteralExpression,
  type Project,
  type SourceFile,
} from 'ts-morph'
import { type Diagnostic, error, type StageResult } from '../compiler/diagnostics.ts'
import type { Origin } from '../dsl/ir.ts'
import { callsOf } from './config-project.ts'

/** Where the config declares its machines: the `inventory({...})` call and its `machines` object literal. */
export interface InventorySite {
  readonly file: SourceFile
  readonly call: CallExpression
  readonly machines: ObjectLiteralExpression
}

export function originOf(node: Node): Origin {
  const file = node.getSourceFile()
  const { line, column } = file.getLineAndColumnAtPos(node.getStart())
  return { file: relative(process.cwd(), file.getFilePath()), line, column }
}

/** Finds the one `inventory({...})` call of the config, with `machines` an object literal it can edit. */
export function findInventory(project: Project): StageResult<InventorySite | undefined> {
  const calls = project.getSourceFiles().flatMap((f) => callsOf(f, 'inventory'))
  const fail = (d: Diagnostic) => ({ value: undefined, diagnostics: [d] })
  const [call, second] = calls
  if (call === undefined) {
    return fail(
      error(
        'DSL7002',
        'the config calls no `inventory({...})`: there is nowhere to register a machine',
        undefined,
        {
          hint: "declare one, e.g. inventory({ machines: {} }) in config/inventory.ts, with `import { inventory } from 'salt-dsl'`",
        },
      ),
    )
  }
  if (second !== undefined) {
    return fail(
      error('DSL7002', 'the config calls `inventory()` more than once', originOf(second), {
        hint: 'salt-dsl keeps one inventory; merge the calls',
      }),
    )
  }
  const spec = call.getArguments()[0]
  const machines = Node.isObjectLiteralExpression(spec) ? literalOf(spec.getProperty('machines')) : undefined
  if (machines === undefined) {
    return fail(
      error(
        'DSL7005',
        "the inventory's `machines` is not an object literal salt-dsl can edit",
        originOf(call),
        {
          hint: 'write `machines: { ... }` in the call, or `const machines = { ... }` in the same file',
        },
      ),
    )
  }
  return { value: { file: call.getSourceFile(), call, machines }, diagnostics: [] }
}

/** The object literal behind `machines: {...}` or `machines` (a const of the same file). */
function literalOf(prop: Node | undefined): ObjectLiteralExpression | undefined {
  if (prop === undefined) return undefined
  let value: Node | undefined
  if (Node.isPropertyAssignment(prop)) value = prop.getInitializer()
  else if (Node.isShorthandPropertyAssignment(prop)) value = prop.getNameNode()
  if (value !== undefined && Node.isIdentifier(value)) {
    const decl = value.getSourceFile().getVariableDeclaration(value.getText())
    value = decl?.getInitializer()
  }
  return unwrap(value)
}

/** `{...} satisfies T`, `{...} as const`, `({...})` → the literal. */
export function unwrap(node: Node | undefined): ObjectLiteralExpression | undefined {
  let n = node
  while (n && (Node.isSatisfiesExpression(n) || Node.isAsExpression(n) || Node.isParenthesizedExpression(n)))
    n = n.getExpression()
  return n && Node.isObjectLiteralExpression(n) ? n : undefined
}

/** A property's name as written, without quotes. */
export function propertyName(prop: Node): string | undefined {
  if (!Node.isPropertyAssignment(prop) && !Node.isShorthandPropertyAssignment(prop)) return undefined
  const name = prop.getNameNode()
  return Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name)
    ? name.getLiteralValue()
    : name.getText()
}

/** The machine ids the literal declares. */
export const machineIds = (machines: ObjectLiteralExpression): string[] =>
  machines.getProperties().flatMap((p) => propertyName(p) ?? [])
