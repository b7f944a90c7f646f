import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GRAINS, SaltOracle } from '../support/salt.ts'
import { type BuiltConfig, buildConfig, MACHINES, PROFILES } from './build.ts'

/** High data of one render, or the errors Salt returned instead. */
function states(data: unknown): Record<string, { __sls__: string }> {
  if (Array.isArray(data) || data === null || typeof data !== 'object')
    throw new Error(`Salt returned errors: ${JSON.stringify(data)}`)
  return data as Record<string, { __sls__: string }>
}

describe('config/: the real Salt renders every machine and every profile on every platform', () => {
  let oracle: SaltOracle
  let built: BuiltConfig
  beforeAll(async () => {
    oracle = await SaltOracle.start()
    built = buildConfig('ci')
  })
  afterAll(async () => {
    await oracle.close()
  })

  it('every registered machine: its own profile, pillar and top, with its platform grains', async () => {
    for (const [id, m] of Object.entries(MACHINES)) {
      // GIVEN the machine's minion id and its platform's grains
      const spec = built.spec(id, GRAINS[m.platform])
      // WHEN Salt renders its highstate and pillar
      const high = await oracle.call(spec, 'state.show_highstate')
      const pillar = await oracle.call(spec, 'pillar.items')
      // THEN both render without error, with the machine's profile and its users' dotfiles
      expect(high.retcode, `${id}: ${high.stdout}${high.stderr}`).toBe(0)
      const ids = Object.keys(states(high.data))
      expect(pillar.data, id).toMatchObject({ profile: m.profile })
      expect((pillar.data as Record<string, unknown>)._errors, id).toBeUndefined()
      expect(ids, id).toContain('core-packages')
      const users = Object.keys((pillar.data as { accounts: object }).accounts)
      expect(users.length, id).toBeGreaterThan(0)
      for (const u of users) {
        expect(ids, id).toContain(`account ${u}`)
        expect(ids, id).toContain(`~${u}/.gitconfig`)
        expect(ids, id).toContain(`~${u}/.bashrc managed block`)
      }
    }
  })

  it('every profile on every platform (an onboarded machine, matched by its dsl: grains)', async () => {
    const seen: Record<string, number> = {}
    for (const platform of Object.keys(GRAINS) as (keyof typeof GRAINS)[]) {
      for (const profile of PROFILES) {
        const id = `onboard-${platform}-${profile}`
        const dsl = { profile, environment: 'personal', users: ['grace'] }
        const high = await oracle.call(built.spec(id, { ...GRAINS[platform], dsl }), 'state.show_highstate')
        expect(high.retcode, `${id}: ${high.stdout}${high.stderr}`).toBe(0)
        const pillar = await oracle.call(
          built.spec(id, { ...GRAINS[platform], dsl }),
          'pillar.get',
          ['profile'],
          {
            unmask: true,
          },
        )
        expect(pillar.data, id).toBe(profile)
        const sls = new Set(Object.values(states(high.data)).map((s) => s.__sls__))
        expect(sls.has('base.packages'), id).toBe(true)
        expect(sls.has('dotfiles.zsh'), id).toBe(profile !== 'minimal')
        expect(sls.has('desktop.apps'), id).toBe(profile === 'desktop')
        expect(sls.has('work.security'), id).toBe(profile === 'work')
        seen[profile] = (seen[profile] ?? 0) + 1
      }
    }
    expect(Object.values(seen)).toEqual([5, 5, 5, 5])
  })
})
