import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeWhole } from '../compiler/write/write-whole.ts'
import type { MachineRun } from './fleet-apply.ts'

/** Each machine's last fleet apply, as `dsl fleet status` reads it (`<store>/fleet.json`). */
export interface FleetStatusFile {
  readonly machines: {
    readonly [id: string]: {
      readonly time: string
      readonly result: MachineRun['result']
      readonly jid?: string
      readonly generation?: number
      readonly changed?: number
      readonly failed?: number
      readonly note?: string
    }
  }
}

const FILE = 'fleet.json'

export function readFleetStatus(stateDir: string): FleetStatusFile {
  try {
    return JSON.parse(readFileSync(join(stateDir, FILE), 'utf8')) as FleetStatusFile
  } catch {
    return { machines: {} }
  }
}

/** Keeps the runs' results beside the earlier ones (a skipped machine keeps its last real apply). */
export function recordFleetRun(
  stateDir: string,
  runs: readonly MachineRun[],
  meta: { readonly jid?: string; readonly generation?: number },
): void {
  const time = new Date().toISOString()
  const machines = { ...readFleetStatus(stateDir).machines }
  for (const x of runs) {
    if (x.result === 'skipped') continue
    const s = x.summary
    machines[x.id] = {
      time,
      result: x.result,
      ...meta,
      ...(s ? { changed: s.create + s.change + s.remove, failed: s.failed + s.blocked } : {}),
      ...(x.note ? { note: x.note } : {}),
    }
  }
  mkdirSync(stateDir, { recursive: true })
  writeWhole(join(stateDir, FILE), `${JSON.stringify({ machines }, null, 2)}\n`, { sync: true })
}
