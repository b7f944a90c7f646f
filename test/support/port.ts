// Ports of real Salt trees: the TypeScript port built through the CLI and the hand-written original,
// rendered by the real Salt for the same machine, must give the same states.
import { join } from 'node:path'
import { expect } from 'vitest'
import { compile } from '../../compiler/compile.ts'
import { resolveStage } from '../../compiler/resolve/resolve.ts'
import { dsl, REPO, tempDir } from './cli.ts'
import { GRAINS, type MinionSpec, type SaltOracle } from './salt.ts'

/** A port: the TypeScript entry and the hand-written tree (`salt/`, `pillar/`) under test/fixtures/ports/<name>/. */
export interface Port {
  readonly name: string
  /** The SLS both trees render (show_sls). */
  readonly sls: readonly string[]
}

export interface BuiltPort {
  readonly out: string
  readonly original: string
  /** Each machine's grains as the compiler assumes them. */
  readonly grains: ReadonlyMap<string, Record<string, unknown>>
}

/** Builds the port's TypeScript through the real CLI (with the type-check) and resolves its machines. */
export async function buildPort(port: Port): Promise<BuiltPort> {
  const entry = join(REPO, 'test/fixtures/ports', port.name, 'ts')
  const out = join(tempDir(), 'out')
  const built = dsl(['build', entry, '--out', out])
  expect(built.status, built.stdout + built.stderr).toBe(0)
  const compiled = await compile({ entry, outDir: join(tempDir(), 'unused'), typecheck: false })
  const program = compiled.loaded!.program
  const r = resolveStage(program).value
  const grains = new Map(
    r.machines.map((m) => [m.id, { ...GRAINS.debian, ...(m.grains as Record<string, unknown>) }]),
  )
  return { out, original: join(REPO, 'test/fixtures/ports', port.name, 'original'), grains }
}

/** Salt's render of one tree for one machine: show_sls of each SLS, show_highstate and show_lowstate. */
async function render(oracle: SaltOracle, spec: MinionSpec, sls: readonly string[]) {
  const views: Record<string, unknown> = {}
  for (const name of sls) {
    const one = await oracle.call(spec, 'state.show_sls', [name])
    expect(one.retcode, one.stdout + one.stderr).toBe(0)
    views[`show_sls ${name}`] = one.data
  }
  for (const fun of ['state.show_highstate', 'state.show_lowstate']) {
    const all = await oracle.call(spec, fun)
    expect(all.retcode, all.stdout + all.stderr).toBe(0)
    views[fun] = all.data
  }
  return views
}

/** The render of the port and of the original for machine `id`: equal, and returned for further checks. */
export async function comparePort(oracle: SaltOracle, port: Port, built: BuiltPort, id: string) {
  const grains = built.grains.get(id)
  expect(grains, `machine ${id} is in the port's inventory`).toBeDefined()
  const ours = await render(
    oracle,
    { id, fileRoot: join(built.out, 'salt'), pillarRoot: join(built.out, 'pillar'), grains: grains! },
    port.sls,
  )
  const theirs = await render(
    oracle,
    {
      id,
      fileRoot: join(built.original, 'salt'),
      pillarRoot: join(built.original, 'pillar'),
      grains: grains!,
    },
    port.sls,
  )
  expect(ours, `${port.name} on ${id}`).toEqual(theirs)
  return ours
}
