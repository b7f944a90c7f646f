import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FleetFile } from '../compiler/emit/emit-fleet.ts'
import { parseTarget, selectTargets } from '../dsl/fleet-target.ts'

export type FleetMachine = FleetFile['machines'][number]
export type { FleetFile }

/** The fleet of a built or published tree (`fleet.json`); undefined when the config has no fleet. */
export function readFleet(tree: string): FleetFile | undefined {
  const file = join(tree, 'fleet.json')
  if (!existsSync(file)) return undefined
  return JSON.parse(readFileSync(file, 'utf8')) as FleetFile
}

/** `--machine ID`, `--all` or `--target T`: the machines of the inventory they select, or why none. */
export function selectMachines(
  fleet: FleetFile,
  how: { readonly machine?: string; readonly all?: boolean; readonly target?: string },
): { machines: FleetMachine[] } | { problem: string } {
  if (how.machine !== undefined) {
    const m = fleet.machines.find((x) => x.id === how.machine)
    return m ? { machines: [m] } : { problem: `machine '${how.machine}' is not in the inventory` }
  }
  if (how.all) return { machines: [...fleet.machines] }
  const parsed = parseTarget(how.target ?? '')
  if ('problem' in parsed) return parsed
  const machines = selectTargets(fleet.machines, parsed.terms)
  return machines.length > 0
    ? { machines }
    : { problem: `no machine of the inventory matches '${how.target}'` }
}
