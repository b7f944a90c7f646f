import { describe, expectTypeOf, it } from 'vitest'
import {
  byPlatform,
  type DeepPartial,
  file,
  type Lookup,
  pillarSchema,
  pkg,
  sls,
  z,
} from '../../dsl/index.ts'
import { resetSession } from '../../dsl/session.ts'

// Checked by `tsc --noEmit` (part of `npm test`): each `@ts-expect-error` must still be an error.

const schema = z.object({
  git: z.object({ email: z.string(), signing: z.boolean() }),
  packages: z.object({ base: z.array(z.string()) }),
})
type Pillar = z.infer<typeof schema>

describe('typed pillar', () => {
  it('layers are deep partials of the schema, lookups are typed by it', () => {
    resetSession()
    const { pillar, layer } = pillarSchema(schema)
    layer('defaults/common', { git: { email: 'a@example.org' } })
    layer('platforms/arch', { packages: { base: ['git'] } })
    // @ts-expect-error unknown key in a layer
    layer('defaults/extra', { gti: { email: 'x' } })
    // @ts-expect-error wrong type for a key
    layer('environments/work', { git: { signing: 'yes' } })
    // @ts-expect-error not a layer kind
    layer('overrides/x', {})
    // @ts-expect-error platforms are a fixed set
    layer('platforms/windows', {})
    expectTypeOf(pillar.git.email).toExtend<Lookup<string>>()
    expectTypeOf<DeepPartial<Pillar>>().toExtend<{ readonly git?: { readonly email?: string } }>()
    sls('typed', () => {
      file('/etc/gitmail', { contents: pillar.git.email })
      // @ts-expect-error unknown pillar key
      file('/etc/x', { contents: pillar.git.emial })
      // @ts-expect-error a boolean lookup is not file contents
      file('/etc/y', { contents: pillar.git.signing })
      pkg(byPlatform({ ubuntu: 'fd-find', arch: 'fd', macos: 'fd', fedora: 'fd-find' }), { id: 'fd' })
      // @ts-expect-error unknown platform in byPlatform
      pkg(byPlatform({ windows: 'fd' }), { id: 'fd2' })
    })
  })
})
