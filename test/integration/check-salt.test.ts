import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../compiler/compile.ts'
import { crossCheck, findSaltPython } from '../../compiler/salt/crosscheck.ts'
import { writeTreeAtomic } from '../../compiler/write/write-tree.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { saltCallPath } from '../support/salt.ts'

describe('dsl check --salt: every machine rendered by the real Salt and compared', () => {
  it('agrees on the multi-machine example (CLI)', () => {
    saltCallPath() // fails, never skips, without Salt
    const run = dsl(['check', 'examples/multi-machine', '--salt'])
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toContain('4 machines rendered by Salt as predicted')
  })

  it('reports each kind of disagreement when the tree no longer matches the config', async () => {
    // GIVEN the emitted tree, tampered with after the build the way a hand edit would
    const compiled = await compile({
      entry: join(REPO, 'examples/multi-machine'),
      outDir: '/unused',
      typecheck: false,
    })
    const out = join(tempDir(), 'out')
    await writeTreeAtomic(out, compiled.tree!)
    appendFileSync(join(out, 'pillar/platforms/arch.sls'), 'edited_by_hand: true\n')
    writeFileSync(join(out, 'salt/desktop.sls'), '#!yaml\nbroken: [\n')
    const python = findSaltPython(undefined, REPO)!
    // WHEN Salt renders every machine
    const found = await crossCheck(compiled.resolution!, out, python)
    // THEN the pillar drift and the render error are reported for exactly the machines they touch
    const codes = found.map((d) => `${d.code} ${d.message.split(':')[0]}`).sort()
    expect(codes).toEqual(["DSL5001 machine 'arch-laptop'", "DSL5001 machine 'ubuntu-desk'"])
    // AND once the SLS renders again (but has lost its states), the other differences show
    writeFileSync(join(out, 'salt/desktop.sls'), '#!yaml\n{}\n')
    const others = compiled.resolution!.machines.filter((m) => m.id !== 'ubuntu-desk')
    const archAlone = await crossCheck({ ...compiled.resolution!, machines: others }, out, python)
    expect(archAlone.map((d) => `${d.code} ${d.message.split(':')[0]}`).sort()).toEqual([
      "DSL5003 machine 'arch-laptop'",
      "DSL5004 machine 'arch-laptop'",
    ])
  })
})
