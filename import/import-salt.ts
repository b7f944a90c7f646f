// `dsl import salt`: a Salt tree into a salt-dsl config. Salt renders the original for each machine named;
// the pillar and the state top become TypeScript, SLS that Salt renders alike everywhere become state()
// calls, the rest of the tree is shipped as it is (saltDir), and every SLS kept by hand is reported with why.
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { type Diagnostic, error, type StageResult, warning } from '../compiler/diagnostics.ts'
import { PLATFORMS } from '../dsl/platform.ts'
import { type ImportMachine, renderMachines } from './salt-renders.ts'
import { readSaltTree } from './salt-tree.ts'
import { translateSls } from './translate-sls.ts'
import { writeConfigSource } from './write-config.ts'

export interface ImportSaltOptions {
  readonly python: string
  readonly saltRoot: string
  readonly pillarRoot?: string
  readonly to: string
  readonly machines: readonly ImportMachine[]
}

/** One line of the import report: what was kept as hand-written Salt or left out, and why. */
export interface ImportNote {
  readonly what: string
  readonly outcome: 'translated' | 'kept' | 'not imported'
  readonly reason: string
}

export interface ImportedConfig {
  readonly entry: string
  readonly notes: readonly ImportNote[]
}

/** salt-dsl's platform for the grains a machine was rendered with (its `os`), Debian when none fits. */
function platformOf(grains: Readonly<Record<string, unknown>>): string {
  const os = String(grains.os ?? '').toLowerCase()
  const family = String(grains.os_family ?? '').toLowerCase()
  if ((PLATFORMS as readonly string[]).includes(os)) return os
  if (family === 'redhat') return 'fedora'
  if (family === 'arch') return 'arch'
  return 'debian'
}

export async function importSalt(o: ImportSaltOptions): Promise<StageResult<ImportedConfig | undefined>> {
  const diagnostics: Diagnostic[] = []
  const origin = (file: string) => ({ file, line: 1, column: 1 })
  if (!existsSync(o.saltRoot) || !statSync(o.saltRoot).isDirectory()) {
    diagnostics.push(error('DSL8001', `'${o.saltRoot}' is not a directory`, undefined))
    return { value: undefined, diagnostics }
  }
  const scratch = mkdtempSync(join(tmpdir(), 'salt-dsl-import-pillar-'))
  try {
    const pillarRoot = o.pillarRoot ?? scratch
    const renders = await renderMachines(o.python, o.saltRoot, pillarRoot, o.machines)
    for (const r of renders)
      if (r.error !== undefined)
        diagnostics.push(
          error('DSL8002', `Salt could not render the tree for '${r.machine.id}': ${r.error}`, undefined, {
            hint: 'give the grains the tree reads with --machine ID=GRAINS_JSON',
          }),
        )
    for (const r of renders)
      for (const key of colonKeys(r.pillar, []))
        diagnostics.push(
          error(
            'DSL8012',
            `pillar key '${key}' of '${r.machine.id}' holds ':', which a salt-dsl layer cannot`,
            undefined,
            {
              hint: "Salt's pillar.get splits keys on ':'; rename the key in the pillar before importing",
            },
          ),
        )
    if (diagnostics.length > 0) return { value: undefined, diagnostics }

    const notes: ImportNote[] = []
    const shipped: { name: string; path: string }[] = []
    const saltOut = join(o.to, 'salt')
    mkdirSync(saltOut, { recursive: true })
    for (const e of readSaltTree(o.saltRoot)) {
      const rel = relative(o.saltRoot, e.from)
      if (e.kind === 'top') continue
      if (e.kind === 'other') {
        notes.push({
          what: rel,
          outcome: 'not imported',
          reason: 'a file at the root of the tree: saltDir ships directories',
        })
        diagnostics.push(
          warning('DSL8010', `'${rel}' is not imported`, origin(e.from), {
            hint: 'move it into a directory of the tree',
          }),
        )
        continue
      }
      const path = `salt/${e.name}`
      if (e.kind === 'dir') cpSync(e.from, join(o.to, path), { recursive: true })
      else {
        // the same SLS name: salt://X/init.sls is SLS X as salt://X.sls was
        mkdirSync(join(o.to, path), { recursive: true })
        copyFileSync(e.from, join(o.to, path, 'init.sls'))
      }
      shipped.push({ name: e.name, path })
    }

    // translated SLS leave the shipped copy; what stays there is hand-written Salt, each SLS with its reason
    const { translated, kept } = translateSls(o.saltRoot, renders)
    for (const t of translated) {
      const rel = relative(o.saltRoot, t.file)
      const copied = rel.includes('/') ? rel : `${rel.replace(/\.sls$/, '')}/init.sls`
      rmSync(join(saltOut, copied))
      notes.push({
        what: `SLS ${t.name}`,
        outcome: 'translated',
        reason: `${t.states} state(s) as state() calls`,
      })
    }
    for (const k of kept) notes.push({ what: `SLS ${k.name}`, outcome: 'kept', reason: k.reason })
    const emptied = new Set(
      shipped.filter((s) => readdirSync(join(o.to, s.path)).length === 0).map((s) => s.name),
    )
    for (const name of emptied) rmSync(join(saltOut, name), { recursive: true })
    const still = shipped.filter((s) => !emptied.has(s.name))

    const platforms = new Map(renders.map((r) => [r.machine.id, platformOf(r.machine.grains)]))
    const missing = new Set<string>()
    const source = writeConfigSource({ shipped: still, renders, platforms, translated }, missing)
    for (const sls of missing) {
      notes.push({
        what: `SLS ${sls}`,
        outcome: 'not imported',
        reason: 'named by the top file, but no directory of the tree holds it',
      })
      diagnostics.push(
        warning(
          'DSL8011',
          `the top file names SLS '${sls}', which is not in the tree`,
          origin(join(o.saltRoot, 'top.sls')),
        ),
      )
    }
    const entry = join(o.to, 'index.ts')
    writeFileSync(entry, source)
    writeFileSync(join(o.to, 'IMPORT-REPORT.md'), reportText(notes))
    return { value: { entry, notes }, diagnostics }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** Dotted paths of the keys under `value` that hold ':' (a layer refuses them, DSL4004). */
function colonKeys(value: unknown, path: readonly string[]): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return []
  return Object.entries(value).flatMap(([k, v]) => [
    ...(k.includes(':') ? [[...path, k].join('.')] : []),
    ...colonKeys(v, [...path, k]),
  ])
}

function reportText(notes: readonly ImportNote[]): string {
  const rows = notes.map((n) => `| ${n.what} | ${n.outcome} | ${n.reason} |`)
  return [
    '# Import report',
    '',
    'What `dsl import salt` did not turn into TypeScript. Kept SLS are shipped unchanged with saltDir();',
    'reach their states from TypeScript with external(), and move them over one file at a time.',
    '',
    '| what | outcome | reason |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')
}
