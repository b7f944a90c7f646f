// A fleet whose selection holds this host's own machine (FLEET_HERE) and a machine elsewhere, both local.
import { file, inventory, profile, sls } from 'salt-dsl'

const root = process.env.FLEET_ROOT || '/tmp/salt-dsl-fleet-local'

export const here = sls('here', () => {
  file(`${root}/here.txt`, { contents: 'applied here\n', makedirs: true, id: 'here marker' })
})
const p = profile('here', { sls: [here] })
inventory({
  machines: {
    [process.env.FLEET_HERE || 'this-host']: { platform: 'debian', environment: 'personal', profile: p },
    elsewhere: { platform: 'debian', environment: 'personal', profile: p },
  },
  fleet: { publishRoot: process.env.FLEET_PUBLISH || '/srv/salt-dsl' },
})
