import { error, type StageResult } from '../compiler/diagnostics.ts'
import type { Platform } from '../dsl/platform.ts'

/** What onboarding needs to know of a machine, as Salt's grains tell it. */
export interface DetectedMachine {
  /** The minion id Salt uses for this host (what `dsl apply` applies as). */
  readonly id: string
  readonly platform: Platform
  /** `x86_64` or `arm64` (Salt's `cpuarch`, with `aarch64` named as macOS names it). */
  readonly arch: string
  /** Salt's `osfinger` (e.g. `Debian-12`), for the messages. */
  readonly release: string
}

/** Salt's `os` grain → the inventory's platform (the inverse of dsl/platform.ts's PLATFORM_GRAINS). */
const BY_OS: Readonly<Record<string, Platform>> = {
  MacOS: 'macos',
  Ubuntu: 'ubuntu',
  Debian: 'debian',
  Arch: 'arch',
  Fedora: 'fedora',
}

const ARCH: Readonly<Record<string, string>> = {
  x86_64: 'x86_64',
  amd64: 'x86_64',
  aarch64: 'arm64',
  arm64: 'arm64',
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : String(v))

/** Reads the id, platform and architecture out of `grains.items`; an OS salt-dsl has no platform for is DSL7001. */
export function platformOfGrains(
  grains: Readonly<Record<string, unknown>>,
): StageResult<DetectedMachine | undefined> {
  const os = text(grains.os)
  const platform = BY_OS[os]
  const cpu = text(grains.cpuarch)
  const arch = ARCH[cpu]
  const release = text(grains.osfinger) || os
  if (platform === undefined || arch === undefined) {
    const what =
      platform === undefined ? `the OS '${os || 'unknown'}'` : `the architecture '${cpu || 'unknown'}'`
    const d = error(
      'DSL7001',
      `salt-dsl has no platform for ${what} (Salt's grains: os ${os}, cpuarch ${cpu})`,
      undefined,
      {
        hint: `supported: ${Object.keys(BY_OS).join(', ')} on x86_64 or arm64; pass --platform to register it anyway`,
      },
    )
    return { value: undefined, diagnostics: [d] }
  }
  return { value: { id: text(grains.id), platform, arch, release }, diagnostics: [] }
}
