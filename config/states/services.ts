/** Database services of the development profile, where `features.enable_database_services` is on. */
import { byPlatform, service, sls, when } from 'salt-dsl'
import { pillar } from '../pillar/schema.ts'

export const devServices = sls('dev.services', () => {
  when(pillar.features.enable_database_services, () => {
    service(
      byPlatform({
        debian: 'redis-server',
        ubuntu: 'redis-server',
        arch: 'valkey',
        fedora: 'redis',
        macos: 'homebrew.mxcl.redis',
      }),
      { id: 'redis-service', ensure: 'running', enable: true },
    )
  })
})
