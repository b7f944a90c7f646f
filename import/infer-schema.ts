// A zod schema (as TypeScript source) that every machine's rendered pillar satisfies: the pillar's shape as
// the renders show it, a key missing on some machine optional.
import { tsKey } from './literal.ts'

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object'

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return 'array'
  return typeof v === 'object' ? 'object' : (typeof v as Kind)
}

/** The zod source for a value that takes each of `samples` (one per machine, or each item of a list). */
export function inferSchema(samples: readonly unknown[], indent = ''): string {
  const kinds = [...new Set(samples.map(kindOf))]
  if (kinds.length === 0) return 'z.unknown()'
  if (kinds.length > 1) {
    const parts = kinds.map((k) =>
      inferSchema(
        samples.filter((s) => kindOf(s) === k),
        indent,
      ),
    )
    return `z.union([${parts.join(', ')}])`
  }
  const kind = kinds[0] as Kind
  if (kind === 'array') {
    const items = samples.flatMap((s) => s as unknown[])
    return items.length === 0 ? 'z.array(z.unknown())' : `z.array(${inferSchema(items, indent)})`
  }
  if (kind !== 'object') return `z.${kind}()`
  const objects = samples as Record<string, unknown>[]
  const keys = [...new Set(objects.flatMap((o) => Object.keys(o)))]
  if (keys.length === 0) return 'z.record(z.string(), z.unknown())'
  const inner = `${indent}  `
  const fields = keys.map((k) => {
    const present = objects.filter((o) => k in o)
    const schema = inferSchema(
      present.map((o) => o[k]),
      inner,
    )
    const optional = present.length < objects.length ? '.optional()' : ''
    return `${inner}${tsKey(k)}: ${schema}${optional},`
  })
  return `z.object({\n${fields.join('\n')}\n${indent}})`
}
