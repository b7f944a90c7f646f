import { existsSync } from 'node:fs'
import { defaultStateDir } from '../../machine/generation-store.ts'
import { formatCompliance, machineCompliance } from '../../report/compliance.ts'
import { DEFAULT_REPORTS, fleetStores, selectMachines } from '../../report/fleet-status.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { jsonFormat } from './operate-options.ts'

export const command: Command = {
  summary:
    "Each security-baseline rule and compliance check of a machine's last apply (or of every machine the stores hold, the fleet runs through the master included): pass, fail or n/a, with its severity, Salt's comment and its TypeScript line; exit 1 when a high one fails.",
  usage: 'dsl compliance [--machine ID | --fleet] [--store DIR]... [--reports DIR] [--format json]',
  async run(argv) {
    const { values } = parse(argv, {
      machine: { type: 'string' },
      fleet: { type: 'boolean', default: false },
      store: { type: 'string', multiple: true },
      reports: { type: 'string' },
      format: { type: 'string' },
    })
    const json = jsonFormat(values.format)
    if (values.fleet && values.machine !== undefined)
      throw new CliError('--machine and --fleet exclude each other')
    const given = values.store?.length ? values.store : [defaultStateDir()]
    for (const s of given) if (!existsSync(s)) throw new CliError(`no store at ${s}`, 2)
    const machines = selectMachines({
      stores: values.fleet ? fleetStores(given, defaultStateDir()) : given,
      reports: values.reports ?? DEFAULT_REPORTS,
      fleet: values.fleet,
      ...(values.machine !== undefined ? { machine: values.machine } : {}),
    }).map(machineCompliance)
    const blocking = machines.some((m) => m.blocking)
    if (json) process.stdout.write(`${JSON.stringify({ machines, blocking }, null, 2)}\n`)
    else process.stdout.write(formatCompliance(machines))
    return blocking ? 1 : 0
  },
}
