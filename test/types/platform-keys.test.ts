// byPlatform keyed by grain: a key that is not a value Salt's grains code gives that grain is a type error
// (checked by tsc --noEmit, part of npm test); the older five-platform form keeps working.
import { describe, expect, it } from 'vitest'
import { byPlatform, OS_FAMILIES, OS_FAMILY_OF, OS_NAMES, pkg, sls } from '../../dsl/index.ts'
import { resetSession, session } from '../../dsl/session.ts'

describe('byPlatform keys are typed from Salt’s grains code', () => {
  it('accepts real os_family / os values and the five platform names; refuses others', () => {
    resetSession()
    sls('platform_keys', () => {
      pkg(
        byPlatform({
          os_family: {
            Debian: 'a',
            RedHat: 'b',
            Arch: 'c',
            Suse: 'd',
            MacOS: 'e',
            FreeBSD: 'f',
            Gentoo: 'g',
            Windows: 'h',
          },
        }),
        { id: 'families' },
      )
      pkg(
        byPlatform({
          os: { Ubuntu: 'a', CentOS: 'b', Rocky: 'c', AlmaLinux: 'd', 'openSUSE Leap': 'e' },
          default: 'z',
        }),
        { id: 'oses' },
      )
      pkg(
        byPlatform({
          osfinger: { 'Ubuntu-22.04': 'a' },
          osmajorrelease: { 9: 'b' },
          oscodename: { bookworm: 'c' },
          default: 'z',
        }),
        { id: 'fine' },
      )
      pkg(byPlatform({ ubuntu: 'fd-find', debian: 'fd-find', fedora: 'fd-find', arch: 'fd', macos: 'fd' }), {
        id: 'legacy',
      })
      // @ts-expect-error 'Debain' is not a value of os_family
      pkg(byPlatform({ os_family: { Debain: 'a' } }), { id: 'typo1' })
      // @ts-expect-error 'Ubunto' is not a value of os
      pkg(byPlatform({ os: { Ubunto: 'a' } }), { id: 'typo2' })
      // @ts-expect-error an osfinger is '<os>-<release>'
      pkg(byPlatform({ osfinger: { jammy: 'a' } }), { id: 'typo3' })
    })
    const issues = session().issues.map((i) => `${i.code} ${i.message}`)
    expect(issues).toEqual([
      "DSL4060 byPlatform: 'Debain' is not a value Salt gives the os_family grain",
      "DSL4060 byPlatform: 'Ubunto' is not a value Salt gives the os grain",
    ])
    expect(OS_FAMILIES).toEqual(
      expect.arrayContaining(['Debian', 'RedHat', 'Arch', 'Suse', 'MacOS', 'FreeBSD', 'Gentoo', 'Windows']),
    )
    expect(OS_NAMES).toEqual(
      expect.arrayContaining(['Ubuntu', 'CentOS', 'Rocky', 'AlmaLinux', 'openSUSE Leap', 'Fedora']),
    )
    expect(OS_FAMILY_OF.Rocky).toBe('RedHat')
  })
})
