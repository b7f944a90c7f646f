import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'
import { GRAINS, SaltOracle } from '../support/salt.ts'

type Rendered = Record<string, { file?: unknown[] }>

/** The `group` argument Salt renders for a state's file function. */
const groupOf = (high: Rendered, id: string): unknown =>
  (high[id]?.file ?? []).find(
    (a): a is { group: unknown } => typeof a === 'object' && a !== null && 'group' in a,
  )?.group

describe('dotfile() takes the group from the platform', () => {
  let oracle: SaltOracle
  beforeAll(async () => {
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle.close()
  })

  it('staff on macOS (wheel for root), the user’s own group on Linux, as Salt renders it', async () => {
    for (const [user, macos] of [
      ['alice', 'staff'],
      ['root', 'wheel'],
    ] as const) {
      const out = join(tempDir(), 'out')
      const built = dsl(['build', 'examples/dotfiles', '--out', out], { DOTFILES_USER: user })
      expect(built.status, built.stderr).toBe(0)
      const spec = { id: 'group-test', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
      for (const [platform, expected] of [
        ['macos', macos],
        ['debian', user],
        ['fedora', user],
        ['arch', user],
        ['ubuntu', user],
      ] as const) {
        const run = await oracle.call({ ...spec, grains: GRAINS[platform] }, 'state.show_sls', ['dotfiles'])
        expect(run.retcode, run.stdout).toBe(0)
        expect(groupOf(run.data as Rendered, `~${user}/.gitconfig`), `${user} on ${platform}`).toBe(expected)
      }
    }
  })
})
