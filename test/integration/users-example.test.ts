// examples/users: each machine's own users, rendered by the real Salt from one SLS with forEach() loops
// (a loop inside a loop, rendered IDs, one ID with three modules, an argument only where the pillar has it).
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compile } from '../../compiler/compile.ts'
import { resolveStage } from '../../compiler/resolve/resolve.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { GRAINS, SaltOracle } from '../support/salt.ts'

let oracle: SaltOracle
const out = join(tempDir(), 'out')
let grains: Map<string, Record<string, unknown>>

beforeAll(async () => {
  oracle = await SaltOracle.start()
  const built = dsl(['build', 'examples/users', '--out', out])
  expect(built.status, built.stdout + built.stderr).toBe(0)
  expect(built.stdout + built.stderr).not.toContain('warning')
  const compiled = await compile({
    entry: join(REPO, 'examples/users'),
    outDir: join(tempDir(), 'x'),
    typecheck: false,
  })
  const r = resolveStage(compiled.loaded!.program).value
  grains = new Map(
    r.machines.map((m) => [m.id, { ...GRAINS.debian, ...(m.grains as Record<string, unknown>) }]),
  )
})
afterAll(async () => {
  await oracle?.close()
})

type High = Record<string, Record<string, unknown[]>>
const render = async (id: string) => {
  const spec = { id, fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar'), grains: grains.get(id)! }
  const high = await oracle.call(spec, 'state.show_highstate')
  expect(high.retcode, high.stdout + high.stderr).toBe(0)
  const low = await oracle.call(spec, 'state.show_lowstate')
  expect(low.retcode, low.stdout).toBe(0)
  expect(Array.isArray(low.data) && (low.data as unknown[]).every((x) => typeof x === 'object')).toBe(true)
  return high.data as High
}

describe('examples/users', () => {
  it('laptop gets ada (two keys, sudo, zsh) and grace (one key, the default shell)', async () => {
    const high = await render('laptop')
    expect(Object.keys(high).sort()).toEqual([
      'ada_ssh_dir',
      'ada_ssh_key_0',
      'ada_ssh_key_1',
      'ada_sudoers',
      'ada_user',
      'grace_ssh_dir',
      'grace_ssh_key_0',
      'grace_user',
      'sudo',
    ])
    expect(high.ada_user!.user).toContainEqual({ shell: '/bin/zsh' })
    expect(JSON.stringify(high.grace_user!.user)).not.toContain('shell')
    expect(high.ada_ssh_key_1!.ssh_auth).toContainEqual({ name: 'ssh-ed25519 AAAAada2 ada@phone' })
    expect(high.ada_ssh_key_1!.ssh_auth).toContainEqual({ require: [{ file: 'ada_ssh_dir' }] })
  })

  it('server gets grace and linus, and removes the old accounts', async () => {
    const high = await render('server')
    expect(Object.keys(high).sort()).toEqual([
      'grace_ssh_dir',
      'grace_ssh_key_0',
      'grace_user',
      'guest_absent',
      'linus_ssh_dir',
      'linus_sudoers',
      'linus_user',
      'olduser_absent',
      'sudo',
    ])
    expect(high.linus_sudoers!.file).toContainEqual({ require: [{ pkg: 'sudo' }, { user: 'linus_user' }] })
  })

  it('dsl check --salt: Salt renders every machine as the compiler predicts (loops expanded per machine)', () => {
    const run = dsl(['check', 'examples/users', '--salt'])
    expect(run.status, run.stdout + run.stderr).toBe(0)
    expect(run.stderr).toContain('2 machines rendered by Salt as predicted')
  })
})
