/** Builds config/ through the real CLI into a temp dir, for a given Debian user (DSL_TEST_USER). */
import { join } from 'node:path'
import { expect } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'
import type { GRAINS, MinionSpec } from '../support/salt.ts'

export type PlatformName = keyof typeof GRAINS

/** The inventory of config/, as the tests expect it (a change there should show here). */
export const MACHINES: Readonly<Record<string, { platform: PlatformName; profile: string }>> = {
  'mbp-work': { platform: 'macos', profile: 'work' },
  'ubuntu-desk': { platform: 'ubuntu', profile: 'desktop' },
  'arch-laptop': { platform: 'arch', profile: 'development' },
  'fedora-vm': { platform: 'fedora', profile: 'work' },
  'debian-ci': { platform: 'debian', profile: 'minimal' },
}

export const PROFILES = ['minimal', 'development', 'desktop', 'work'] as const

export interface BuiltConfig {
  readonly out: string
  /** The spec serving machine `id`; with `grains`, Salt pretends to run that platform. */
  spec(id: string, grains?: Readonly<Record<string, unknown>>): MinionSpec
}

export function buildConfig(user: string): BuiltConfig {
  const out = join(tempDir('salt-dsl-config-'), 'out')
  const run = dsl(['build', 'config', '--out', out], { DSL_TEST_USER: user })
  expect(run.status, run.stdout + run.stderr).toBe(0)
  return {
    out,
    spec: (id, grains) => ({
      id,
      fileRoot: join(out, 'salt'),
      pillarRoot: join(out, 'pillar'),
      ...(grains === undefined ? {} : { grains }),
    }),
  }
}
