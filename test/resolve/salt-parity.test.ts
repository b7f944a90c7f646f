// The compiler's per-machine view equals the real Salt's: merged pillar (pillar.items), top-file matches
// (state.show_top) and the rendered highstate, for every machine of every example with an inventory,
// with pillar_merge_lists off and on, plus machines that are not registered yet.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { predictHighstate } from '../../compiler/resolve/predict.ts'
import { type Resolution, type ResolvedMinion, resolveStage } from '../../compiler/resolve/resolve.ts'
import { resolveMinion } from '../../compiler/resolve/resolve-machines.ts'
import { assumedGrains } from '../../compiler/resolve/tops.ts'
import { GRAINS, type MinionSpec, SaltOracle } from '../support/salt.ts'
import { type BuiltExample, buildExample, inventoryEntries } from './examples.ts'

let oracle: SaltOracle
const built: BuiltExample[] = []
const timings: string[] = []

beforeAll(async () => {
  oracle = await SaltOracle.start()
  for (const entry of inventoryEntries()) {
    const b = await buildExample(entry)
    if (b.compiled.loaded?.program.pillar?.inventory !== undefined) built.push(b)
  }
})

afterAll(async () => {
  await oracle?.close()
  console.info(`resolve parity:\n  ${timings.join('\n  ')}`)
})

/** A simulated minion: the platform's full core grains from the harness, then what the compiler assumes. */
function specFor(b: BuiltExample, m: ResolvedMinion, mergeLists: boolean): MinionSpec {
  const platform = (m.machine?.platform ?? 'ubuntu') as keyof typeof GRAINS
  return {
    id: m.id,
    fileRoot: join(b.out, 'salt'),
    pillarRoot: join(b.out, 'pillar'),
    grains: { ...GRAINS[platform], ...m.grains },
    options: { pillar_merge_lists: mergeLists },
  }
}

async function compareMinion(b: BuiltExample, r: Resolution, m: ResolvedMinion, mergeLists: boolean) {
  const spec = specFor(b, m, mergeLists)
  const started = performance.now()
  const items = await oracle.call(spec, 'pillar.items')
  const topped = await oracle.call(spec, 'state.show_top')
  const high = await oracle.call(spec, 'state.show_highstate')
  timings.push(
    `${b.name} ${m.id} merge_lists=${mergeLists}: ${(performance.now() - started).toFixed(0)} ms for 3 calls`,
  )
  expect(items.retcode, items.stderr).toBe(0)
  // secrets sit encrypted under dsl_secrets, for Salt's gpg renderer alone: the secrets tests check them; here
  // the rest of the pillar must be the compiler's, and the key present exactly where a secret is emitted
  const { dsl_secrets: secrets, ...pillar } = items.data as Record<string, unknown>
  expect(pillar, `pillar of ${m.id}`).toEqual(m.pillar)
  expect(secrets !== undefined, `secrets of ${m.id}`).toBe(
    existsSync(join(b.out, 'pillar', 'dsl_secrets', `${m.id}.sls`)),
  )
  expect(topped.data, `top of ${m.id}`).toEqual(m.sls.length > 0 ? { base: m.sls } : {})
  // a machine no top file entry matches gets Salt's "no top file match" (retcode 2) and nothing to apply
  expect(high.retcode, high.stdout).toBe(m.sls.length > 0 ? 0 : 2)
  expect(Object.keys(high.data as object).sort(), `highstate of ${m.id}`).toEqual(
    predictHighstate(r.program, m),
  )
  const fd = (high.data as Record<string, { pkg?: unknown[] }>).fd
  if (fd !== undefined) {
    const os = String(m.grains.os)
    const expected =
      (
        { MacOS: 'fd', Arch: 'fd', Ubuntu: 'fd-find', Debian: 'fd-find', Fedora: 'fd-find' } as Record<
          string,
          string
        >
      )[os] ?? null
    expect(fd.pkg, `byPlatform on ${m.id}`).toContainEqual({ name: expected })
  }
}

describe.each([false, true])('pillar_merge_lists=%s', (mergeLists) => {
  it('finds the examples with an inventory', () => {
    expect(built.map((b) => b.name)).toContain('examples/multi-machine')
    for (const b of built) expect(b.compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  })

  it('every registered machine: pillar.items, show_top and show_highstate agree', async () => {
    for (const b of built) {
      const r = resolveStage(b.compiled.loaded!.program, { mergeLists }).value
      expect(r.machines.length).toBeGreaterThan(0)
      for (const m of r.machines) await compareMinion(b, r, m, mergeLists)
    }
  })

  it('unregistered machines match by their onboarding grains (or the onboarding defaults)', async () => {
    for (const b of built) {
      const r = resolveStage(b.compiled.loaded!.program, { mergeLists }).value
      const [first] = r.machines
      if (first?.machine === undefined) continue
      const onboarded = {
        dsl: {
          environment: first.machine.environment,
          profile: first.machine.profile,
          users: [...first.machine.users],
        },
      }
      const fresh = resolveMinion(r, 'new-box', {
        ...GRAINS.ubuntu,
        ...onboarded,
      } as ResolvedMinion['grains'])
      const bare = resolveMinion(r, 'bare-box', { ...GRAINS.debian } as ResolvedMinion['grains'])
      for (const m of [fresh, bare]) await compareMinion(b, r, m, mergeLists)
    }
  })
})

it('assumed grains carry the platform identity and the dsl: grains', () => {
  const b = built.find((x) => x.name === 'examples/multi-machine')!
  const mac = b.compiled.loaded!.program.pillar!.inventory!.machines.find((m) => m.id === 'mbp-work')!
  expect(assumedGrains(mac)).toMatchObject({ os: 'MacOS', os_family: 'MacOS', dsl: { environment: 'work' } })
})
