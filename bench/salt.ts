// The real Salt, masterless from a temp config dir, as the benchmark runs it.

import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { masterlessMinionConfig } from '../compiler/salt/minion-config.ts'
import type { Command } from './measure.ts'

/** The minion Salt plays: its id and the grains it reports (set in its config, over the host's own). */
export interface SimulatedMinion {
  readonly id: string
  readonly grains: Readonly<Record<string, string>>
}

type Tree = { readonly fileRoot: string; readonly pillarRoot: string }

/** Writes a masterless minion config under `dir` for `tree`; returns the config dir and the root to reset. */
function minionConfig(dir: string, tree: Tree, minion: SimulatedMinion): { conf: string; root: string } {
  const conf = join(dir, 'conf')
  const root = join(dir, 'root')
  mkdirSync(conf, { recursive: true })
  const config = masterlessMinionConfig({ ...tree, id: minion.id, root, grains: minion.grains })
  writeFileSync(join(conf, 'minion'), `${JSON.stringify(config, null, 2)}\n`)
  return { conf, root }
}

/**
 * A `salt-call --local state.show_highstate` of one tree as `minion`, with a config dir under `dir` and a
 * fresh cachedir before every run (the roots fileserver caches by mtime: a reused cache could serve another tree).
 */
export function showHighstate(saltCall: string, dir: string, tree: Tree, minion: SimulatedMinion): Command {
  const { conf, root } = minionConfig(dir, tree, minion)
  return {
    argv: [saltCall, '--local', '-c', conf, '--out=json', '--out-indent=-1', 'state.show_highstate'],
    before: () => rmSync(root, { recursive: true, force: true }),
    check: ({ code, stdout, stderr }) => {
      const data = parseHighstate(stdout)
      if (code !== 0 || data === undefined) {
        throw new Error(
          `show_highstate of ${tree.fileRoot} failed (rc ${code})\n${(stdout + stderr).slice(0, 2000)}`,
        )
      }
    },
  }
}

/** The `local` payload of one untimed salt-call as `minion` (fresh cachedir first). */
function callLocal(
  saltCall: string,
  dir: string,
  tree: Tree,
  minion: SimulatedMinion,
  fun: string[],
): unknown {
  const { conf, root } = minionConfig(dir, tree, minion)
  rmSync(root, { recursive: true, force: true })
  const argv = ['--local', '-c', conf, '--out=json', '--out-indent=-1', ...fun]
  const stdout = execFileSync(saltCall, argv, { encoding: 'utf8', maxBuffer: 1 << 30 })
  return (JSON.parse(stdout) as { local?: unknown }).local
}

/** The merged pillar `minion` gets from `tree` (`pillar.items`, unmasked), keys sorted at every level. */
export function pillarOf(
  saltCall: string,
  dir: string,
  tree: Tree,
  minion: SimulatedMinion,
): Record<string, unknown> {
  const local = callLocal(saltCall, dir, tree, minion, ['pillar.items', 'unmask=True'])
  if (local === null || typeof local !== 'object' || Array.isArray(local))
    throw new Error(`pillar.items of ${tree.pillarRoot} returned no pillar: ${JSON.stringify(local)}`)
  if ('_errors' in local) throw new Error(`pillar of ${tree.pillarRoot}: ${JSON.stringify(local._errors)}`)
  return sortKeys(local) as Record<string, unknown>
}

/** The SLS the state top file gives `minion` (`state.show_top`), by saltenv. */
export function topOf(saltCall: string, dir: string, tree: Tree, minion: SimulatedMinion): unknown {
  return callLocal(saltCall, dir, tree, minion, ['state.show_top'])
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v === null || typeof v !== 'object') return v
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
  )
}

/** The `local` payload of a show_highstate, when it is a highstate (not a list of errors). */
export function parseHighstate(stdout: string): Record<string, Record<string, unknown>> | undefined {
  try {
    const local = (JSON.parse(stdout) as { local?: unknown }).local
    if (local === null || typeof local !== 'object' || Array.isArray(local)) return undefined
    return local as Record<string, Record<string, unknown>>
  } catch {
    return undefined
  }
}

/**
 * A highstate in a comparable form: per state ID, its module, function and arguments (as a sorted object),
 * and SLS; Salt's `order` (the position in the rendered file) and `__env__` left out.
 */
export function normalizeHighstate(high: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const id of Object.keys(high).sort()) {
    const body = high[id]!
    const entry: Record<string, unknown> = { sls: body.__sls__ }
    for (const [module, value] of Object.entries(body)) {
      if (module.startsWith('__') || !Array.isArray(value)) continue
      const args: Record<string, unknown> = {}
      let fun = ''
      for (const item of value) {
        if (typeof item === 'string') fun = item
        else if (item !== null && typeof item === 'object') {
          for (const [k, v] of Object.entries(item)) if (k !== 'order') args[k] = v
        }
      }
      entry[`${module}.${fun}`] = Object.fromEntries(
        Object.entries(args).sort(([a], [b]) => a.localeCompare(b)),
      )
    }
    out[id] = entry
  }
  return out
}

/** Runs one show_highstate (untimed) and returns its normalized highstate. */
export function highstateOf(command: Command): Record<string, unknown> {
  command.before?.()
  const [bin, ...args] = command.argv as [string, ...string[]]
  const stdout = execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 30 })
  const data = parseHighstate(stdout)
  if (data === undefined) throw new Error(`show_highstate returned no highstate:\n${stdout.slice(0, 2000)}`)
  return normalizeHighstate(data)
}

/** Versions of the Salt and Python in the venv. */
export function saltVersions(saltCall: string, python: string): { salt: string; python: string } {
  const salt = execFileSync(saltCall, ['--version'], { encoding: 'utf8' }).trim()
  const py = execFileSync(python, ['--version'], { encoding: 'utf8' }).trim()
  return { salt, python: py }
}
