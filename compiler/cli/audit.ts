import { describeFleetAudit } from '../../fleet/fleet-audit.ts'
import { defaultStateDir, GenerationStore } from '../../machine/generation-store.ts'
import { backfill, unaudited } from '../../report/audit-generation.ts'
import { appendAuditEvents, readAudit } from '../../report/audit-log.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { jsonFormat } from './operate-options.ts'

export const command: Command = {
  summary:
    "This machine's audit log: who applied which generation and revision, what changed, which secret-bearing states; the hash chain is verified (exit 1 when broken).",
  usage: 'dsl audit [--format json]   |   dsl audit note TEXT   (append a line of your own)',
  async run(argv) {
    const { values, positionals } = parse(argv, { format: { type: 'string' } })
    const json = jsonFormat(values.format)
    const store = defaultStateDir()
    if (positionals[0] === 'note') {
      const note = positionals.slice(1).join(' ')
      if (note === '') throw new CliError('dsl audit note wants a TEXT')
      // a generation whose run was stopped before it wrote its line gets it first
      const generations = new GenerationStore(store)
      const written = await appendAuditEvents(store, (entries) => [
        ...backfill(generations, entries),
        { action: 'note', note },
      ])
      const e = written.at(-1)!
      process.stdout.write(`${json ? JSON.stringify(e) : `noted at ${e.time}`}\n`)
      return 0
    }
    if (positionals.length > 0) throw new CliError(`unknown argument '${positionals[0]}'`)
    const { entries, problems } = readAudit(store)
    const missing = unaudited(new GenerationStore(store), entries).map((g) => g.number)
    if (json) process.stdout.write(`${JSON.stringify({ store, entries, problems, missing }, null, 2)}\n`)
    else {
      for (const e of entries) {
        const what =
          describeFleetAudit(e) ??
          (e.action === 'note'
            ? `note: ${e.note}`
            : `${e.action}${e.of !== undefined ? ` of ${e.of}` : ''} → generation ${e.generation}` +
              `${e.revision ? ` (${e.revision.commit.slice(0, 10)}${e.revision.dirty ? ', dirty' : ''})` : ''}` +
              `; changed: ${e.changed?.length ? e.changed.join(', ') : 'nothing'}` +
              `${e.secrets?.length ? `; secret-bearing: ${e.secrets.join(', ')}` : ''}` +
              `${e.secretNames?.length ? `; secrets: ${e.secretNames.join(', ')}` : ''}` +
              `${e.backfilled ? ' (written later: its run stopped before auditing it)' : ''}`)
        process.stdout.write(`${e.time}  ${e.user}@${e.host}  ${what}\n`)
      }
      for (const p of problems) process.stdout.write(`audit log line ${p.line}: ${p.message}\n`)
      for (const n of missing)
        process.stdout.write(
          `generation ${n} has no audit line yet (its run stopped before writing it): the next apply or note writes it\n`,
        )
      process.stdout.write(
        problems.length === 0
          ? `${entries.length} line(s); the hash chain verifies\n`
          : `the hash chain is broken: the log was tampered with\n`,
      )
    }
    return problems.length === 0 ? 0 : 1
  },
}
