import { parse } from './args.ts'
import type { Command } from './cli-error.ts'
import { jsonFormat, openStore } from './operate-options.ts'

export const command: Command = {
  summary: "List the generations this machine's store keeps: number, time, git revision, result.",
  usage: 'dsl generations [--format json]',
  async run(argv) {
    const { values } = parse(argv, { format: { type: 'string' } })
    const json = jsonFormat(values.format)
    const store = openStore()
    const list = store.list()
    if (json) {
      process.stdout.write(`${JSON.stringify({ store: store.dir, generations: list }, null, 2)}\n`)
      return 0
    }
    if (list.length === 0) {
      process.stdout.write(`no generations yet in ${store.dir}\n`)
      return 0
    }
    const rows = list.map((g) => {
      const s = g.summary
      const rev = g.revision ? `${g.revision.commit.slice(0, 10)}${g.revision.dirty ? ' (dirty)' : ''}` : '-'
      const kind = g.kind === 'apply' ? 'apply' : `${g.kind} of ${g.of}`
      const result =
        `${s.create + s.change + s.remove} changed, ${s.failed} failed, ${s.blocked} blocked, ` +
        `${s.unchanged} unchanged`
      return [String(g.number), g.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), kind, rev, result]
    })
    const head = ['#', 'time', 'kind', 'revision', 'result']
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd()
    process.stdout.write(`${[head, ...rows].map(line).join('\n')}\n`)
    return 0
  },
}
