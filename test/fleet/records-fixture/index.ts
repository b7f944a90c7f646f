// Two machines via the master, of different profiles, for the fleet records test: each writes its own file
// under FLEET_ROOT and runs baseline rules of its own (the shape of config/ops/baseline.ts: skipped by
// `unless` when they pass, else `FAIL [severity] message`); the build machine has a step that fails. The
// fleet's scheduled drift check runs every FLEET_DRIFT_EVERY.
import { cmd, file, inventory, profile, sh, sls, state } from 'salt-dsl'

const root = process.env.FLEET_ROOT || '/tmp/salt-dsl-fleet-records'
const publishRoot = process.env.FLEET_PUBLISH || '/srv/salt-dsl'

const rule = (id: string, severity: string, message: string, pass: string) => ({
  id: `baseline: ${id}`,
  name: `${id} [${severity}]`,
  result: true,
  changes: false,
  comment: `FAIL [${severity}] ${message}`,
  unless: [pass],
  order: 'last' as const,
})

export const desk = sls('desk', () => {
  file(`${root}/desk.txt`, { contents: 'desk\n', makedirs: true, id: 'desk marker' })
  const written = `test -f ${root}/desk.txt`
  state('test.configurable_test_state', rule('desk_marker_written', 'high', 'no desk marker', written))
})

export const build = sls('build', () => {
  file(`${root}/build.txt`, { contents: 'build\n', makedirs: true, id: 'build marker' })
  if (process.env.FLEET_FAIL) cmd(sh`exit 3`, { id: 'build failing step', creates: `${root}/never` })
  const clean = `test -f ${root}/never`
  state('test.configurable_test_state', rule('build_cache_clean', 'medium', 'the cache is dirty', clean))
})

inventory({
  machines: {
    'rec-desk': {
      platform: 'debian',
      environment: 'personal',
      profile: profile('desk', { sls: [desk] }),
      via: 'master',
    },
    'rec-build': {
      platform: 'debian',
      environment: 'work',
      profile: profile('build', { sls: [build] }),
      via: 'master',
    },
  },
  fleet: {
    publishRoot,
    ...(process.env.FLEET_DRIFT_EVERY ? { driftCheck: { every: process.env.FLEET_DRIFT_EVERY } } : {}),
  },
})
