// Security updates on Debian and Ubuntu: the `Inst` lines of `apt-get -s upgrade` (which the status
// report records as `apt_upgrade`) name each upgrade's candidate version and the archives it comes from,
//   Inst libgcrypt20 [1.10.1-3] (1.10.1-3+deb12u1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])
// and an upgrade is a security update when one of them is a `-security` suite (Debian's security archive,
// Ubuntu's `<release>-security` pocket).

export interface AptUpgrade {
  readonly name: string
  /** The installed version (absent for a package the upgrade newly installs). */
  readonly from: string | null
  readonly to: string
  /** `Debian-Security:12/oldstable-security`, ... */
  readonly origins: readonly string[]
  readonly security: boolean
}

const INST = /^Inst (\S+)(?: \[([^\]]*)\])? \((\S+) (.*) \[[^\]]*\]\)/

/** The upgrades of `apt-get -s upgrade`'s output (its lines, or the whole text); other lines are ignored. */
export function parseAptUpgrade(output: string | readonly string[]): AptUpgrade[] {
  const lines = typeof output === 'string' ? output.split('\n') : output
  const out: AptUpgrade[] = []
  for (const line of lines) {
    const m = INST.exec(line.trim())
    if (m === null) continue
    const origins = m[4]!.split(', ').map((o) => o.trim())
    out.push({
      name: m[1]!,
      from: m[2] ?? null,
      to: m[3]!,
      origins,
      security: origins.some(isSecurityOrigin),
    })
  }
  return out
}

/** `Label:version/suite`: the suite is a security one (`bookworm-security`, `jammy-security`). */
function isSecurityOrigin(origin: string): boolean {
  const suite = origin.slice(origin.lastIndexOf('/') + 1)
  return /-security$/.test(suite)
}

/** The security updates among them, by package name (to the candidate version). */
export function securityUpdates(output: string | readonly string[]): Record<string, string> {
  return Object.fromEntries(
    parseAptUpgrade(output)
      .filter((u) => u.security)
      .map((u) => [u.name, u.to]),
  )
}
