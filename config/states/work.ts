/** The work profile's additions: security tools, the VPN client, compliance settings. */
import { eq, file, grains, not, sls, when } from 'salt-dsl'
import { pillar } from '../pillar/schema.ts'
import { installFromList } from './helpers.ts'
import { packageStates } from './packages.ts'

export const workSecurity = sls('work.security', () => {
  const p = pillar.packages
  for (const [flag, id, list] of [
    [pillar.features.install_security_tools, 'security-packages', p.security],
    [pillar.features.enable_work_vpn, 'vpn-packages', p.vpn],
  ] as const) {
    when(flag, () => {
      when(list, () => {
        installFromList({ id, pkgs: list, install_recommends: pillar.packages.install_recommended })
      })
    })
    packageStates.push({ id, list })
  }
})

/** Idle login shells time out and new files are not world-readable (Linux; macOS has no /etc/profile.d). */
export const workCompliance = sls('work.compliance', () => {
  when(pillar.security.compliance_checks, () => {
    when(not(eq(grains.kernel, 'Darwin')), () => {
      file('/etc/profile.d/salt-dsl-compliance.sh', {
        source: 'files/compliance.sh.j2',
        template: 'jinja',
        context: { minutes: pillar.security.screen_lock_minutes },
        user: 'root',
        group: 'root',
        mode: '0644',
      })
    })
  })
})
