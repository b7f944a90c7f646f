// What the real Salt makes of the original tree for each machine the user names: its state top and its
// merged pillar. The importer writes TypeScript from these renders, never from a guess at Jinja.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeMinionConfig } from '../compiler/salt/minion-config.ts'
import { saltCall } from '../compiler/salt/salt-call.ts'

/** A machine to render the tree for: its minion id and the grains it has (they override the host's). */
export interface ImportMachine {
  readonly id: string
  readonly grains: Readonly<Record<string, unknown>>
}

/** One machine's render of the original tree. */
export interface MachineRender {
  readonly machine: ImportMachine
  /** The SLS the state top gives the machine in `base`, in top-file order. */
  readonly top: readonly string[]
  readonly pillar: Readonly<Record<string, unknown>>
  /** `state.show_highstate`: each state ID's module, function, arguments, `__sls__`; undefined on errors. */
  readonly highstate?: Readonly<Record<string, unknown>>
  /** Why Salt could not render it, if it could not. */
  readonly error?: string
}

async function call(python: string, conf: string, tmp: string, fun: string) {
  return saltCall({ python, confDir: conf, fun, tmpDir: tmp })
}

/** Renders `state.show_top` and `pillar.items` of the tree for each machine, one after the other. */
export async function renderMachines(
  python: string,
  saltRoot: string,
  pillarRoot: string,
  machines: readonly ImportMachine[],
): Promise<MachineRender[]> {
  const out: MachineRender[] = []
  for (const machine of machines) {
    const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-import-'))
    try {
      const conf = join(dir, 'conf')
      writeMinionConfig(conf, {
        id: machine.id,
        fileRoot: saltRoot,
        pillarRoot,
        root: join(dir, 'root'),
        grains: machine.grains,
        options: { pillar_mask_output: false },
      })
      const top = await call(python, conf, dir, 'state.show_top')
      const pillar = await call(python, conf, dir, 'pillar.items')
      const high = await call(python, conf, dir, 'state.show_highstate')
      const highstate =
        high.data !== null && typeof high.data === 'object' && !Array.isArray(high.data)
          ? (high.data as Record<string, unknown>)
          : undefined
      const base = (top.data as { base?: unknown } | undefined)?.base
      const items = (pillar.data ?? {}) as Record<string, unknown>
      const errors = items._errors
      const error =
        errors !== undefined
          ? `pillar: ${JSON.stringify(errors)}`
          : top.code !== 0 && !Array.isArray(base)
            ? `top: ${top.stderr.trim() || JSON.stringify(top.data)}`
            : undefined
      out.push({
        machine,
        top: Array.isArray(base) ? base.map(String) : [],
        pillar: items,
        ...(highstate === undefined ? {} : { highstate }),
        ...(error === undefined ? {} : { error }),
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return out
}
