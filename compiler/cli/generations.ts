import { existsSync } from 'node:fs'
import { fleetMachineStore } from '../../fleet/fleet-records.ts'
import { defaultStateDir, GenerationStore } from '../../machine/generation-store.ts'
import { parse } from './args.ts'
import type { Command } from './cli-error.ts'
import { jsonFormat, openStore } from './operate-options.ts'

export const command: Command = {
  summary:
    "List the generations this machine's store keeps (or, with --machine, those the master recorded of a fleet machine): number, time, git revision, result.",
  usage: 'dsl generations [--machine ID] [--format json]',
  async run(argv) {
    const { values } = parse(argv, { format: { type: 'string' }, machine: { type: 'string' } })
    const json = jsonFormat(values.format)
    // a machine the fleet runs applied has its own store on the master; else this store's generations of it
    const own =
      values.machine === undefined ? undefined : fleetMachineStore(defaultStateDir(), values.machine)
    const store = own !== undefined && existsSync(own) ? new GenerationStore(own) : openStore()
    const list = store
      .list()
      .filter((g) => values.machine === undefined || store.dir === own || g.machine === values.machine)
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
