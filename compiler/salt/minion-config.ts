import { join } from 'node:path'

export interface MasterlessMinion {
  readonly id: string
  readonly fileRoot: string
  readonly pillarRoot: string
  /** Every path Salt writes (cache, pki, sockets, pid, log) lives under it. */
  readonly root: string
  readonly grains?: Readonly<Record<string, unknown>>
  readonly options?: Readonly<Record<string, unknown>>
}

/**
 * The minion config for `salt-call --local -c DIR` on one tree, touching nothing outside `root`
 * (JSON is YAML: write it as `DIR/minion`).
 */
export function masterlessMinionConfig(m: MasterlessMinion): Record<string, unknown> {
  return {
    id: m.id,
    file_client: 'local',
    master_type: 'disable',
    file_roots: { base: [m.fileRoot] },
    pillar_roots: { base: [m.pillarRoot] },
    root_dir: m.root,
    cachedir: join(m.root, 'cache'),
    pki_dir: join(m.root, 'pki'),
    sock_dir: join(m.root, 'sock'),
    pidfile: join(m.root, 'minion.pid'),
    log_file: join(m.root, 'minion.log'),
    ...(m.grains ? { grains: m.grains } : {}),
    ...m.options,
  }
}
