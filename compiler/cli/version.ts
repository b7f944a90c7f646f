import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { PACKAGE_ROOT } from '../paths.ts'
import { findSaltPython } from '../salt/crosscheck.ts'
import { parse } from './args.ts'
import type { Command } from './cli-error.ts'

export interface Versions {
  readonly saltDsl: string
  /** The Salt scripts/requirements.lock pins, or undefined when the package ships no lock. */
  readonly saltPinned: string | undefined
  /** The Salt installed in the venv found for this directory, or undefined when there is none. */
  readonly saltInstalled: string | undefined
  readonly venv: string | undefined
  readonly node: string
}

/** Read from files only (no Python is started), so `dsl --version` answers at once. */
export function versions(from = process.cwd()): Versions {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
  const lock = join(PACKAGE_ROOT, 'scripts', 'requirements.lock')
  const pinned = existsSync(lock) ? /^salt==([^\s;]+)/m.exec(readFileSync(lock, 'utf8'))?.[1] : undefined
  const python = findSaltPython(undefined, from)
  const venv = python === undefined ? undefined : dirname(dirname(python))
  return {
    saltDsl: pkg.version,
    saltPinned: pinned,
    saltInstalled: venv && installedSalt(venv),
    venv,
    node: process.version,
  }
}

/** The version in the name of Salt's `salt-<version>.dist-info` in the venv's site-packages. */
function installedSalt(venv: string): string | undefined {
  const lib = join(venv, 'lib')
  for (const py of existsSync(lib) ? readdirSync(lib).filter((n) => n.startsWith('python')) : []) {
    const site = join(lib, py, 'site-packages')
    const info = existsSync(site)
      ? readdirSync(site).find((n) => /^salt-[^-]+\.dist-info$/.test(n))
      : undefined
    if (info) return info.slice('salt-'.length, -'.dist-info'.length)
  }
  return undefined
}

export function formatVersions(v: Versions): string {
  const salt =
    v.saltInstalled === undefined
      ? `not installed${v.venv ? ` in ${v.venv}` : ''} (run scripts/setup.sh)`
      : v.saltInstalled === v.saltPinned
        ? `${v.saltInstalled} in ${v.venv} (matches)`
        : `${v.saltInstalled} in ${v.venv} (does NOT match the pinned ${v.saltPinned}: run scripts/setup.sh)`
  return [
    `salt-dsl ${v.saltDsl}`,
    `Salt     ${v.saltPinned ?? 'unknown'} pinned; ${salt}`,
    `Node.js  ${v.node}`,
  ].join('\n')
}

export const command: Command = {
  summary: "Print salt-dsl's version, the pinned Salt and whether the venv's Salt matches it, and Node's.",
  usage: 'dsl version [--format json]',
  async run(argv) {
    const { values } = parse(argv, { format: { type: 'string' } })
    const v = versions()
    const matches = v.saltInstalled !== undefined && v.saltInstalled === v.saltPinned
    process.stdout.write(
      values.format === 'json'
        ? `${JSON.stringify({ ...v, saltMatches: matches }, null, 2)}\n`
        : `${formatVersions(v)}\n`,
    )
    return 0
  },
}
