import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compile } from '../../compiler/compile.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { compilerView, saltView } from '../support/highstate.ts'
import { type MinionSpec, SaltOracle } from '../support/salt.ts'

// config/ and examples/multi-machine depend on the machine (inventory, pillar, when): test/config and test/resolve
const CONFIGS = ['examples/hello', 'examples/requisites', 'examples/dotfiles']

describe('the real Salt renders every example as the compiler meant it', () => {
  let oracle: SaltOracle
  const scratch = tempDir()
  const env = {
    HELLO_ROOT: join(scratch, 'hello'),
    REQUISITES_ROOT: join(scratch, 'req'),
    DOTFILES_USER: 'root',
  }

  beforeAll(async () => {
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle.close()
  })

  it.each(CONFIGS)('%s: show_highstate and show_sls equal the compiler view', async (config) => {
    // GIVEN the config built through the real CLI
    const out = join(tempDir(), 'out')
    const built = dsl(['build', config, '--out', out], env)
    expect(built.status, built.stderr).toBe(0)
    Object.assign(process.env, env)
    const compiled = await compile({ entry: join(REPO, config), outDir: out, typecheck: false })
    const { view, exprKeys } = compilerView(compiled.graph!)
    const spec: MinionSpec = { id: 'example', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
    // WHEN Salt renders the whole highstate
    const high = await oracle.call(spec, 'state.show_highstate')
    // THEN it renders without error, with exactly the states, functions, arguments and requisites meant
    expect(high.retcode, high.stdout + high.stderr).toBe(0)
    expect(saltView(high.data, exprKeys)).toEqual(view)
    // AND every SLS renders on its own too (its includes pull in what its requisites point at)
    for (const name of compiled.graph!.sls.keys()) {
      const one = await oracle.call(spec, 'state.show_sls', [name])
      expect(one.retcode, `${name}: ${one.stdout}`).toBe(0)
      const rendered = saltView(one.data, exprKeys)
      for (const [id, state] of Object.entries(rendered)) expect(state).toEqual(view[id])
      const own = Object.values(view).filter((s) => s.sls === name).length
      expect(Object.values(rendered).filter((s) => s.sls === name)).toHaveLength(own)
    }
  })
})
