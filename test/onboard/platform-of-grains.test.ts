// The platform and architecture onboarding reads from Salt's grains (the values Salt reports on each system).
import { describe, expect, it } from 'vitest'
import { platformOfGrains } from '../../onboard/platform-of-grains.ts'

describe('platformOfGrains', () => {
  it.each([
    [{ id: 'mbp', os: 'MacOS', cpuarch: 'arm64', osfinger: 'MacOS-15' }, 'macos', 'arm64'],
    [{ id: 'old-mac', os: 'MacOS', cpuarch: 'x86_64', osfinger: 'MacOS-14' }, 'macos', 'x86_64'],
    [{ id: 'desk', os: 'Ubuntu', cpuarch: 'x86_64', osfinger: 'Ubuntu-24.04' }, 'ubuntu', 'x86_64'],
    [{ id: 'pi', os: 'Debian', cpuarch: 'aarch64', osfinger: 'Debian-12' }, 'debian', 'arm64'],
    [{ id: 'vm', os: 'Fedora', cpuarch: 'x86_64', osfinger: 'Fedora-41' }, 'fedora', 'x86_64'],
    [{ id: 'laptop', os: 'Arch', cpuarch: 'x86_64', osfinger: 'Arch' }, 'arch', 'x86_64'],
  ])('%o is %s on %s', (grains, platform, arch) => {
    const r = platformOfGrains(grains)
    expect(r.diagnostics).toEqual([])
    expect(r.value).toMatchObject({ id: grains.id, platform, arch })
  })

  it.each([
    [{ os: 'Alpine', cpuarch: 'x86_64' }, /no platform for the OS 'Alpine'/],
    [{ os: 'FreeBSD', cpuarch: 'amd64' }, /no platform for the OS 'FreeBSD'/],
    [{ os: 'Debian', cpuarch: 'riscv64' }, /no platform for the architecture 'riscv64'/],
  ])('%o is refused with DSL7001', (grains, message) => {
    const r = platformOfGrains(grains)
    expect(r.value).toBeUndefined()
    expect(r.diagnostics[0]?.code).toBe('DSL7001')
    expect(r.diagnostics[0]?.message).toMatch(message)
  })
})
