import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeMinionConfig } from '../compiler/salt/minion-config.ts'
import { saltCall } from '../compiler/salt/salt-call.ts'
import { serviceModuleOptions } from './service-module.ts'
import type { SaltStateReturn } from './state-outcomes.ts'

/** Where one run of Salt lives: the tree it reads, and a dir for its config, cache and temp files. */
export interface SaltWorkspace {
  /** Holds `salt/` and `pillar/` (and `manifest.json`). */
  readonly tree: string
  /** Salt's config dir, root dir and temp dir go under it. */
  readonly scratch: string
}

export interface StateRunOptions {
  readonly python: string
  /** The minion id; undefined: this host's own, as Salt finds it. */
  readonly machine: string | undefined
  readonly test: boolean
  /** Each line Salt logs (at info level: one "Executing" and one "Completed" line per state). */
  readonly onLine?: (line: string) => void
  readonly onSpawn?: (pid: number) => void
  /** Another salt-call follows this one (the apply after its plan): start loading it meanwhile. */
  readonly warmNext?: boolean
  /** A file root searched before the tree's `salt/` (the run's own top file and states: prune, kept edits). */
  readonly overlay?: string
}

/** What `state.apply` answered: per-state returns, or the errors Salt reported instead. */
export interface StateRun {
  readonly code: number
  readonly states?: Readonly<Record<string, SaltStateReturn>>
  readonly errors: readonly string[]
}

/** The host's own Salt config dir: its `minion_id` and custom `grains` are what a plain salt-call sees. */
const HOST_SALT = '/etc/salt'

/** Runs the real `state.apply` (with `test=True` for a plan) on a workspace's tree. */
export async function runStateApply(ws: SaltWorkspace, o: StateRunOptions): Promise<StateRun> {
  const conf = treeConfig(ws, o, o.test ? 'test' : 'apply')
  const run = await saltCall({
    python: o.python,
    confDir: conf,
    fun: 'state.apply',
    args: o.test ? ['test=True'] : [],
    logLevel: o.onLine ? 'info' : 'warning',
    tmpDir: join(ws.scratch, 'tmp'),
    ...(o.onLine ? { onLine: o.onLine } : {}),
    ...(o.onSpawn ? { onSpawn: o.onSpawn } : {}),
    ...(o.warmNext ? { warmNext: true } : {}),
  })
  const data = run.data
  if (data !== null && typeof data === 'object' && !Array.isArray(data))
    return { code: run.code, states: data as Record<string, SaltStateReturn>, errors: [] }
  const errors = Array.isArray(data) ? data.map(String) : [saltFailure(run.stderr, run.code)]
  return { code: run.code, errors }
}

/**
 * Writes the minion config of a run on the workspace's tree (config, cache and root under `scratch/<name>`)
 * and returns its dir: this host's id and custom grains unless a machine is named.
 */
export function treeConfig(
  ws: SaltWorkspace,
  o: { readonly machine: string | undefined; readonly overlay?: string },
  name: string,
): string {
  const conf = join(ws.scratch, `conf-${name}`)
  mkdirSync(join(ws.scratch, 'tmp'), { recursive: true })
  const salt = join(ws.tree, 'salt')
  writeMinionConfig(conf, {
    ...(o.machine !== undefined ? { id: o.machine } : hostId()),
    fileRoot: salt,
    pillarRoot: join(ws.tree, 'pillar'),
    root: join(ws.scratch, `root-${name}`),
    options: {
      pillar_mask_output: false,
      ...(o.overlay !== undefined ? { file_roots: { base: [o.overlay, salt] } } : {}),
      ...serviceModuleOptions(),
    },
  })
  const grains = join(HOST_SALT, 'grains')
  if (existsSync(grains)) copyFileSync(grains, join(conf, 'grains'))
  return conf
}

/** The id a plain salt-call on this host would use, when the host fixes one (`/etc/salt/minion_id`). */
export function hostId(): { id?: string } {
  const file = join(HOST_SALT, 'minion_id')
  if (!existsSync(file)) return {}
  const id = readFileSync(file, 'utf8').trim()
  return id === '' ? {} : { id }
}

function saltFailure(stderr: string, code: number): string {
  const lines = stderr
    .split('\n')
    .filter((l) => /\[(ERROR|CRITICAL)|Error|error:/.test(l))
    .slice(-5)
  return `salt-call exited ${code} without a result${lines.length ? `: ${lines.join(' | ')}` : ''}`
}
