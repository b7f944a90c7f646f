import type { MachineDiff, StateDiff } from './tree-diff.ts'

export type DiffFormat = 'text' | 'markdown' | 'json'

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v))

function stateLines(s: StateDiff, mark: string, md: boolean): string[] {
  const code = (t: string) => (md ? `\`${t}\`` : t)
  const lines = [
    `${md ? '- ' : '  '}${mark} ${code(s.state)}${s.id !== s.state.split(' ').slice(1).join(' ') ? ` (ID ${code(s.id)})` : ''}  sls ${s.sls}`,
  ]
  const pad = md ? '  - ' : '      '
  for (const a of s.args ?? []) lines.push(`${pad}${code(a.key)}: ${show(a.before)} → ${show(a.after)}`)
  for (const r of s.requisites?.added ?? []) lines.push(`${pad}+ ${code(r)}`)
  for (const r of s.requisites?.removed ?? []) lines.push(`${pad}- ${code(r)}`)
  if (s.movedFrom !== undefined) lines.push(`${pad}moved: sls ${s.movedFrom} → ${s.sls}`)
  return lines
}

/** The semantic diff per machine as text, markdown (for a pull request) or JSON. */
export function formatDiff(diffs: readonly MachineDiff[], format: DiffFormat, from: string): string {
  if (format === 'json') return `${JSON.stringify({ from, machines: diffs }, null, 2)}\n`
  const md = format === 'markdown'
  const out: string[] = md ? [`## Changes against ${from}`, ''] : []
  for (const d of diffs) {
    const counts = `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.pillar.length} pillar key(s)`
    out.push(md ? `### ${d.machine}: ${counts}` : `machine ${d.machine}: ${counts}`)
    if (md) out.push('')
    for (const s of d.added) out.push(...stateLines(s, '+', md))
    for (const s of d.removed) out.push(...stateLines(s, '-', md))
    for (const s of d.changed) out.push(...stateLines(s, '~', md))
    for (const p of d.pillar) {
      const key = md ? `\`${p.key}\`` : p.key
      const text =
        p.change === 'added'
          ? `+ pillar ${key} = ${show(p.after)}`
          : p.change === 'removed'
            ? `- pillar ${key} (was ${show(p.before)})`
            : `~ pillar ${key}: ${show(p.before)} → ${show(p.after)}`
      out.push(`${md ? '- ' : '  '}${text}`)
    }
    for (const e of d.errors) out.push(`${md ? '- ' : '  '}! Salt: ${e}`)
    if (md) out.push('')
  }
  return `${out.join('\n')}\n`
}
