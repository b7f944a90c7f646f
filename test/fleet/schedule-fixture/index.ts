// One machine via the master, with the fleet's scheduled drift check (every FLEET_DRIFT_EVERY): the
// schedule test edits its file behind salt-dsl's back and waits for the check to see it.
import { file, inventory, profile, sls } from 'salt-dsl'

const root = process.env.FLEET_ROOT || '/tmp/salt-dsl-fleet'
const publishRoot = process.env.FLEET_PUBLISH || '/srv/salt-dsl'

export const checked = sls('checked', () => {
  file(`${root}/checked.txt`, { contents: 'as built\n', makedirs: true, id: 'checked file' })
})

inventory({
  machines: {
    'fleet-checked': {
      platform: 'debian',
      environment: 'personal',
      profile: profile('checked', { sls: [checked] }),
      via: 'master',
    },
  },
  fleet: {
    publishRoot,
    ...(process.env.FLEET_DRIFT_EVERY ? { driftCheck: { every: process.env.FLEET_DRIFT_EVERY } } : {}),
  },
})
