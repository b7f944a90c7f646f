// Security updates: `dsl alerts` tells them from the other updates by the `-security` archive of their
// candidate (the `Inst` lines of `apt-get -s upgrade` the status report records). Read from recorded real
// outputs (this Debian 12 host's; Ubuntu 22.04 lines as published from real runs), then from a real apply
// on this host checked against `apt-cache policy`, which names each candidate's archives on its own.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/report/fixture'

interface Alert {
  kind: string
  message: string
  detail: unknown
}

describe('security updates among the available updates (dsl alerts)', () => {
  let dir: string
  let config: string
  beforeAll(() => {
    dir = tempDir('salt-dsl-security-updates-')
    config = join(dir, 'alerts.json')
    writeFileSync(config, JSON.stringify({ rules: [] }))
  })

  /** The active alerts of `dsl alerts --dry-run` over the reports in `reports`. */
  const active = (reports: string, env: Record<string, string> = {}): Alert[] => {
    const run = dsl(['alerts', '--config', config, '--reports', reports, '--dry-run', '--format', 'json'], {
      DSL_STATE_DIR: join(dir, 'empty-store'),
      ...env,
    })
    expect(run.status, run.stderr).toBe(0)
    return (JSON.parse(run.stdout) as { active: Alert[] }).active
  }

  /** A status report holding a recorded `apt-get -s upgrade` (its updates as pkg.list_upgrades gives them). */
  const recorded = (name: string) => {
    const lines = readFileSync(join(REPO, FIXTURE, name), 'utf8').split('\n')
    const updates = Object.fromEntries(
      lines.flatMap((l) => {
        const m = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+) /.exec(l)
        return m ? [[m[1]!, m[2]!]] : []
      }),
    )
    const reports = join(dir, name)
    mkdirSync(reports, { recursive: true })
    writeFileSync(
      join(reports, 'status.json'),
      JSON.stringify({ report: 'status', available_updates: updates, apt_upgrade: lines }),
    )
    return { reports, updates }
  }

  it('Debian 12 (recorded on this host): a -security archive among the candidate’s makes it a security update', () => {
    const { reports, updates } = recorded('apt-upgrade-debian12.txt')
    const alerts = active(reports)
    const security = alerts.find((a) => a.kind === 'security-updates')?.detail as Record<string, string>
    // only in Debian-Security, in both archives, and only in the point release
    expect(security.liblzma5).toBe('5.4.1-1+deb12u2')
    expect(security.libgcrypt20).toBe('1.10.1-3+deb12u1')
    expect(security['base-files']).toBeUndefined()
    expect(security.bash).toBeUndefined()
    expect(Object.keys(security)).toHaveLength(85)
    expect(Object.keys(updates)).toHaveLength(128)
    expect(alerts.find((a) => a.kind === 'updates')?.message).toMatch(
      /128 package update\(s\) available, 85 of them security$/,
    )
  })

  it('Ubuntu 22.04 (recorded): the jammy-security pocket, a package the upgrade newly installs included', () => {
    const { reports } = recorded('apt-upgrade-ubuntu2204.txt')
    const security = active(reports).find((a) => a.kind === 'security-updates')?.detail
    expect(security).toEqual({
      libcurl4: '7.81.0-1ubuntu1.18',
      curl: '7.81.0-1ubuntu1.18',
      git: '1:2.34.1-1ubuntu1.11',
    })
  })

  describe('this host, applied for real (as root, a throw-away user)', () => {
    let user: ReturnType<typeof throwawayUser>
    afterAll(() => user?.remove())

    it('the status report’s security updates are those apt-cache policy shows from a -security archive', () => {
      user = throwawayUser()
      const reports = join(dir, 'host-reports')
      const env = {
        MACHINE_USER: user.name,
        MACHINE_HOME: user.home,
        MACHINE_ROOT: join(dir, 'managed'),
        DSL_STATE_DIR: join(dir, 'state'),
        REPORT_DIR: reports,
      }
      const applied = dsl(['apply', FIXTURE, '--out', join(dir, 'out'), '--no-typecheck', '--yes'], env)
      expect(applied.status, applied.stderr + applied.stdout).toBe(0)
      const status = JSON.parse(readFileSync(join(reports, 'status.json'), 'utf8')) as {
        available_updates: Record<string, string>
        apt_upgrade: string[]
      }
      const alerts = active(reports, { DSL_STATE_DIR: env.DSL_STATE_DIR })
      const security = (alerts.find((a) => a.kind === 'security-updates')?.detail ?? {}) as Record<
        string,
        string
      >
      // the oracle: for each upgradable package, does apt-cache policy list its candidate in a -security archive?
      const names = Object.keys(status.available_updates)
      const policy = names.length > 0 ? candidateArchives(names) : new Map<string, string[]>()
      const expected = names.filter((n) => policy.get(n)?.some((a) => /-security\//.test(a))).sort()
      expect(Object.keys(security).sort()).toEqual(expected)
      // this host has both kinds (a Debian snapshot behind its point and security releases)
      expect(expected.length).toBeGreaterThan(0)
      expect(expected.length).toBeLessThan(names.length)
    })
  })
})

/** For each package, the archives (`bookworm-security/main`, ...) `apt-cache policy` lists for its candidate. */
function candidateArchives(names: readonly string[]): Map<string, string[]> {
  const text = execFileSync('apt-cache', ['policy', ...names], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
    maxBuffer: 64 << 20,
  })
  const out = new Map<string, string[]>()
  let name = ''
  let candidate = ''
  let version = ''
  for (const line of text.split('\n')) {
    const pkg = /^(\S+):$/.exec(line)
    if (pkg) {
      name = pkg[1]!
      out.set(name, [])
      continue
    }
    const cand = /^ {2}Candidate: (\S+)/.exec(line)
    if (cand) candidate = cand[1]!
    const ver = /^ (?:\*\*\*| {3}) (\S+) -?\d+$/.exec(line)
    if (ver) version = ver[1]!
    const source = /^ {8}-?\d+ \S+ (\S+) \S+ Packages$/.exec(line)
    if (source && version === candidate) out.get(name)?.push(source[1]!)
  }
  return out
}
