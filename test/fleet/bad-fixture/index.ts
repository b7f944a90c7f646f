// Fleet settings that cannot work: each is a DSL4013 at the inventory's line.
import { file, inventory, profile, sls } from 'salt-dsl'

export const base = sls('base', () => {
  file('/tmp/salt-dsl-fleet-bad', { contents: 'x\n' })
})
const minimal = profile('minimal', { sls: [base] })
inventory({
  machines: {
    'no-host': { platform: 'debian', environment: 'personal', profile: minimal, via: 'ssh' },
    'ssh-on-master': {
      platform: 'debian',
      environment: 'personal',
      profile: minimal,
      via: 'master',
      ssh: { host: 'a' },
    },
  },
  fleet: {
    publishRoot: 'relative/dir',
    operators: { ada: ['profil=minimal'] },
    driftCheck: { every: '1 hour' },
  },
})
