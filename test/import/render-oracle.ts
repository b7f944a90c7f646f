// The real Salt as the import tests' oracle: one warm minion per test file, and what a tree renders to.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect } from 'vitest'
import { type CliRun, dsl, tempDir } from '../support/cli.ts'
import { SaltOracle } from '../support/salt.ts'

/** Salt's render of a tree for one machine: its highstate and its pillar. */
export interface TreeRender {
  readonly highstate: unknown
  readonly pillar: unknown
}

/** Starts the oracle before the file's tests (stopped after them) and returns a renderer of trees. */
export function useRenderOracle(): (
  id: string,
  grains: Record<string, unknown>,
  fileRoot: string,
  pillarRoot: string,
) => Promise<TreeRender> {
  let oracle: SaltOracle | undefined
  beforeAll(async () => {
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle?.close()
  })
  return async (id, grains, fileRoot, pillarRoot) => {
    const spec = { id, grains, fileRoot, pillarRoot }
    const high = await oracle!.call(spec, 'state.show_highstate')
    const items = await oracle!.call(spec, 'pillar.items')
    return { highstate: high.data, pillar: items.data }
  }
}

/** `dsl import salt SALT --pillar PILLAR --to TO` for each machine (`--machine id=grains`); must exit 0. */
export function importSalt(
  salt: string,
  pillar: string,
  to: string,
  machineGrains: Readonly<Record<string, unknown>>,
): CliRun {
  const machines = Object.entries(machineGrains).flatMap(([id, g]) => [
    '--machine',
    `${id}=${JSON.stringify(g)}`,
  ])
  const imported = dsl(['import', 'salt', salt, '--pillar', pillar, '--to', to, ...machines])
  expect(imported.status, imported.stdout + imported.stderr).toBe(0)
  return imported
}

/** The TypeScript `dsl import salt` wrote into `to`: every module, index.ts first, the others by path. */
export function configSource(to: string): string {
  const files = readdirSync(to, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.startsWith('salt/'))
    .sort((a, b) => (a === 'index.ts' ? -1 : b === 'index.ts' ? 1 : a.localeCompare(b)))
  return files.map((f) => readFileSync(join(to, f), 'utf8')).join('\n')
}

/** A Salt tree of SLS `site.<name>` (each of `files`, `<name>.sls` → text) and an empty pillar directory. */
export function siteTree(files: Readonly<Record<string, string>>): {
  dir: string
  salt: string
  pillar: string
} {
  const dir = tempDir()
  const salt = join(dir, 'salt')
  const pillar = join(dir, 'pillar')
  mkdirSync(join(salt, 'site'), { recursive: true })
  mkdirSync(pillar)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(salt, 'site', name), text)
  return { dir, salt, pillar }
}

/** Builds the imported config `to` and expects Salt to render it on each machine as it renders the original. */
export async function expectSameRender(
  render: ReturnType<typeof useRenderOracle>,
  machines: Readonly<Record<string, Record<string, unknown>>>,
  original: { readonly salt: string; readonly pillar: string },
  to: string,
): Promise<void> {
  const out = join(tempDir(), 'out')
  const built = dsl(['build', to, '--out', out])
  expect(built.status, built.stdout + built.stderr).toBe(0)
  for (const [id, grains] of Object.entries(machines)) {
    const theirs = await render(id, grains, original.salt, original.pillar)
    const ours = await render(id, grains, join(out, 'salt'), join(out, 'pillar'))
    expect(ours, id).toEqual(theirs)
  }
}
