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
import { dirname, join, relative } from 'node:path'
import { type Diagnostic, error, type StageResult, warning } from '../compiler/diagnostics.ts'
import { PLATFORMS } from '../dsl/platform.ts'
import {
  type ImportNote,
  reportText,
  type StateShare,
  stateShares,
  translatedReason,
} from './import-report.ts'
import { type ImportMachine, renderMachines } from './salt-renders.ts'
import { readSaltTree } from './salt-tree.ts'
import { translateSls } from './translate-sls.ts'
import { writeConfigFiles } from './write-config.ts'

export interface ImportSaltOptions {
  readonly python: string
  readonly saltRoot: string
  readonly pillarRoot?: string
  readonly to: string
  readonly machines: readonly ImportMachine[]
}

export type { ImportNote } from './import-report.ts'

export interface ImportedConfig {
  readonly entry: string
  readonly notes: readonly ImportNote[]
  /** Per machine, its states as typed builders, state() calls and kept SLS. */
  readonly shares: readonly StateShare[]
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

    // a test's window between the shipped tree and the TypeScript (test/import/import-kill.test.ts)
    const hold = Number(process.env.DSL_IMPORT_HOLD_MS ?? 0)
    if (hold > 0) {
      process.stderr.write('import: holding\n')
      await new Promise((done) => setTimeout(done, hold))
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
        reason: translatedReason(t),
      })
    }
    for (const k of kept)
      notes.push({ what: `SLS ${k.name}`, outcome: 'kept', reason: k.reason, reasons: k.reasons })
    const shares = stateShares(
      renders.map((r) => r.machine.id),
      translated,
      kept,
    )
    const emptied = new Set(
      shipped.filter((s) => readdirSync(join(o.to, s.path)).length === 0).map((s) => s.name),
    )
    for (const name of emptied) rmSync(join(saltOut, name), { recursive: true })
    const still = shipped.filter((s) => !emptied.has(s.name))

    const platforms = new Map(renders.map((r) => [r.machine.id, platformOf(r.machine.grains)]))
    const missing = new Set<string>()
    const files = writeConfigFiles({ shipped: still, renders, platforms, translated }, missing)
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
    for (const [path, text] of files) {
      mkdirSync(dirname(join(o.to, path)), { recursive: true })
      writeFileSync(join(o.to, path), text)
    }
    const entry = join(o.to, 'index.ts')
    writeFileSync(join(o.to, 'IMPORT-REPORT.md'), reportText(notes, shares))
    return { value: { entry, notes, shares }, diagnostics }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
