// `dsl import packages`: the packages installed on this machine as a typed list and an SLS installing them.
// Salt's pkg.list_pkgs says what is installed; where the package manager knows what was installed by hand
// (`apt-mark showmanual`), only those are kept, so dependencies are left to the package manager.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IndentationText, Project, QuoteKind } from 'ts-morph'
import { type Diagnostic, error, type StageResult } from '../compiler/diagnostics.ts'
import { writeMinionConfig } from '../compiler/salt/minion-config.ts'
import { saltCall } from '../compiler/salt/salt-call.ts'

export interface InstalledPackages {
  readonly os: string
  /** Sorted package names. */
  readonly names: readonly string[]
  /** How the list was narrowed to the packages installed by hand, if it was. */
  readonly manualFrom?: string
  readonly source: string
}

/** The names `apt-mark showmanual` prints, or undefined where there is no apt-mark. */
function aptManual(): Set<string> | undefined {
  const run = spawnSync('apt-mark', ['showmanual'], { encoding: 'utf8' })
  if (run.status !== 0) return undefined
  return new Set(run.stdout.split('\n').filter((l) => l !== ''))
}

export async function importPackages(python: string): Promise<StageResult<InstalledPackages | undefined>> {
  const diagnostics: Diagnostic[] = []
  const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-import-pkgs-'))
  try {
    const conf = join(dir, 'conf')
    writeMinionConfig(conf, { fileRoot: dir, pillarRoot: dir, root: join(dir, 'root') })
    const listed = await saltCall({ python, confDir: conf, fun: 'pkg.list_pkgs', tmpDir: dir })
    const grains = await saltCall({ python, confDir: conf, fun: 'grains.item', args: ['os'], tmpDir: dir })
    if (listed.code !== 0 || listed.data === null || typeof listed.data !== 'object') {
      const why = listed.stderr.trim() || JSON.stringify(listed.data)
      diagnostics.push(error('DSL8020', `Salt's pkg.list_pkgs failed on this machine: ${why}`))
      return { value: undefined, diagnostics }
    }
    const os = String((grains.data as { os?: unknown } | undefined)?.os ?? 'unknown')
    const manual = aptManual()
    const all = Object.keys(listed.data)
    const names = (manual === undefined ? all : all.filter((n) => manual.has(n))).sort()
    const source = packagesSource(os, names, manual !== undefined)
    return {
      value: { os, names, ...(manual === undefined ? {} : { manualFrom: 'apt-mark showmanual' }), source },
      diagnostics,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function packagesSource(os: string, names: readonly string[], manual: boolean): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
  })
  const file = project.createSourceFile('packages.ts', '')
  const how = manual
    ? "Salt's pkg.list_pkgs, those installed by hand (apt-mark showmanual)"
    : "Salt's pkg.list_pkgs"
  file.addStatements(`// The packages of a ${os} machine as \`dsl import packages\` found them: ${how}.`)
  file.addImportDeclaration({ moduleSpecifier: 'salt-dsl', namedImports: ['pkg', 'sls'] })
  const list = names.map((n) => `  ${JSON.stringify(n)},`).join('\n')
  file.addStatements(`/** Installed on the ${os} machine this list was taken from. */
export const installedPackages: string[] = [\n${list}\n]`)
  file.addStatements(`export const packages = sls('packages', () => {
  pkg(installedPackages, { id: 'installed_packages' })
})`)
  return file.getFullText()
}
