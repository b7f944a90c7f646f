/** A unified-style diff of two texts (`-`/`+` lines with two lines of context), for showing an edit first. */
export function lineDiff(before: string, after: string, context = 2): string {
  const a = before.split('\n')
  const b = after.split('\n')
  // longest common subsequence table, from the ends (config files are small)
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0))
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  const ops: { kind: ' ' | '-' | '+'; text: string; line: number }[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i]!, line: j + 1 })
      i++
      j++
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ kind: '-', text: a[i]!, line: j + 1 })
      i++
    } else {
      ops.push({ kind: '+', text: b[j]!, line: j + 1 })
      j++
    }
  }
  const near = ops.map((_, k) =>
    ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o.kind !== ' '),
  )
  const out: string[] = []
  let gap = false
  ops.forEach((o, k) => {
    if (!near[k]) {
      gap = out.length > 0
      return
    }
    if (gap) out.push('  ...')
    gap = false
    out.push(`${o.kind} ${o.text}`)
  })
  return out.join('\n')
}
