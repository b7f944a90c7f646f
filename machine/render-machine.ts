import { join } from 'node:path'
import { writeMinionConfig } from '../compiler/salt/minion-config.ts'
import { saltCall } from '../compiler/salt/salt-call.ts'
import type { LowChunk } from './lowstate.ts'

/** A machine to render a tree for: its minion id and the grains the inventory assumes (none: this host). */
export interface MachineTarget {
  readonly id?: string
  readonly grains?: Readonly<Record<string, unknown>>
}

/** One machine's view of a tree as Salt renders it: its states and its pillar. */
export interface MachineRendering {
  readonly chunks: LowChunk[]
  readonly pillar: Record<string, unknown>
  readonly errors: string[]
}

/**
 * Salt's `state.show_lowstate` and `pillar.items` of `tree` for one machine (its grains set in the minion
 * config, as `dsl check --salt` renders other platforms), the two calls run together.
 */
export async function renderMachine(
  tree: string,
  m: MachineTarget,
  o: { readonly python: string; readonly scratch: string },
): Promise<MachineRendering> {
  // each call its own config and cache: two salt-calls sharing a cachedir race creating it (EEXIST, exit 17)
  const config = (name: string) => {
    const conf = join(o.scratch, name, 'conf')
    writeMinionConfig(conf, {
      ...(m.id !== undefined ? { id: m.id } : {}),
      fileRoot: join(tree, 'salt'),
      pillarRoot: join(tree, 'pillar'),
      root: join(o.scratch, name, 'root'),
      ...(m.grains ? { grains: m.grains } : {}),
      // an empty keyring: a secret (gpg-encrypted pillar) stays ciphertext, so no plaintext is ever read
      options: { pillar_mask_output: false, gpg_keydir: join(o.scratch, 'no-gpg-keys') },
    })
    return conf
  }
  const [low, pillar] = await Promise.all([
    saltCall({ python: o.python, confDir: config('lowstate'), fun: 'state.show_lowstate' }),
    saltCall({ python: o.python, confDir: config('pillar'), fun: 'pillar.items' }),
  ])
  const errors: string[] = []
  const chunks: LowChunk[] = []
  if (Array.isArray(low.data))
    for (const c of low.data)
      if (typeof c === 'string') errors.push(c)
      else if (c !== null && typeof c === 'object') chunks.push(c as LowChunk)
  if (!Array.isArray(low.data)) errors.push(`state.show_lowstate exited ${low.code} without a result`)
  const items =
    pillar.data !== null && typeof pillar.data === 'object' ? (pillar.data as Record<string, unknown>) : {}
  if (Array.isArray(items._errors)) errors.push(...items._errors.map(String))
  const { _errors, ...rest } = items
  return { chunks, pillar: rest, errors }
}
