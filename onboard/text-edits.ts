import type { Node, ObjectLiteralExpression } from 'ts-morph'

/** Replace `length` characters at `pos` with `text` (the file's other bytes stay as they are). */
export interface TextEdit {
  readonly pos: number
  readonly length: number
  readonly text: string
}

/** Applies edits to `source` (from the last to the first, so positions stay valid). */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  let out = source
  for (const e of [...edits].sort((a, b) => b.pos - a.pos))
    out = out.slice(0, e.pos) + e.text + out.slice(e.pos + e.length)
  return out
}

/** The end of `node`'s line after an optional comma and a `//` comment; `undefined` if code follows. */
function lineEndAfter(text: string, from: number): { comma: number | undefined; end: number | undefined } {
  let i = from
  while (text[i] === ' ' || text[i] === '\t') i++
  const comma = text[i] === ',' ? i : undefined
  if (comma !== undefined) i++
  while (text[i] === ' ' || text[i] === '\t') i++
  if (text.startsWith('//', i)) while (i < text.length && text[i] !== '\n') i++
  return { comma, end: text[i] === '\n' || i === text.length ? i : undefined }
}

/** Adds `key: value` as the object's last property, in its layout: one per line, or all on one. */
export function addProperty(obj: ObjectLiteralExpression, key: string, value: string): TextEdit[] {
  const text = obj.getSourceFile().getFullText()
  const props = obj.getProperties()
  const last = props.at(-1)
  if (last === undefined) {
    const inside = text.slice(obj.getStart() + 1, obj.getEnd() - 1)
    return [
      {
        pos: obj.getStart(),
        length: obj.getWidth(),
        text: inside.includes('\n') ? `{\n  ${key}: ${value},\n}` : `{ ${key}: ${value} }`,
      },
    ]
  }
  const after = lineEndAfter(text, last.getEnd())
  const multiline = obj.getStartLineNumber() !== obj.getEndLineNumber() && after.end !== undefined
  if (!multiline) {
    const pos = after.comma !== undefined ? after.comma + 1 : last.getEnd()
    return [{ pos, length: 0, text: after.comma !== undefined ? ` ${key}: ${value},` : `, ${key}: ${value}` }]
  }
  const lineStart = text.lastIndexOf('\n', last.getStart()) + 1
  const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '  '
  const edits: TextEdit[] = [{ pos: after.end!, length: 0, text: `\n${indent}${key}: ${value},` }]
  if (after.comma === undefined) edits.push({ pos: last.getEnd(), length: 0, text: ',' })
  return edits
}

/** Removes a property or a statement with its leading comments and its line, and its trailing comma. */
export function removeNode(node: Node): TextEdit {
  const text = node.getSourceFile().getFullText()
  const start = node.getFullStart()
  const after = lineEndAfter(text, node.getEnd())
  const end = after.end ?? (after.comma !== undefined ? after.comma + 1 : node.getEnd())
  // a node on lines of its own: take its preceding newline too, so no blank line is left
  return { pos: start, length: end - start, text: '' }
}
