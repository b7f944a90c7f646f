import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { machineKeydir } from '../../secrets/key-paths.ts'
import { strictMatchingSafe } from './strict-loader.ts'

export interface MasterlessMinion {
  /** The minion id; without it Salt finds this host's own (as a plain `salt-call` would). */
  readonly id?: string
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
    ...(m.id !== undefined ? { id: m.id } : {}),
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
    // where the gpg renderer finds this machine's key (`dsl secrets machine-key`); Salt's own default is
    // beside the config file, which here is a scratch directory
    gpg_keydir: machineKeydir(),
    // no import of every module on a lookup miss (see strictMatchingSafe): 0.6 s of each run
    ...(strictMatchingSafe(m.fileRoot) ? { lazy_loader_strict_matching: true } : {}),
    ...m.options,
  }
}

/**
 * Writes `confDir/minion` for `m` and returns its path. Salt runs on its defaults (and writes under
 * /etc/salt and /var/cache/salt) when the file is missing, so its presence is checked.
 */
export function writeMinionConfig(confDir: string, m: MasterlessMinion): string {
  mkdirSync(confDir, { recursive: true })
  const file = join(confDir, 'minion')
  writeFileSync(file, JSON.stringify(masterlessMinionConfig(m)))
  if (!existsSync(file)) throw new Error(`could not write ${file}`)
  return file
}
