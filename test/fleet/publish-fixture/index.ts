// A tree for the publish lock test: PUBLISH_MARK makes each publisher's tree its own (one file says it),
// and many states make a tree of many files, so that a publisher killed at a random point is often killed
// while copying it. Nothing is applied from it.
import { file, inventory, profile, sls } from 'salt-dsl'

const mark = process.env.PUBLISH_MARK || 'none'

export const marker = sls('marker', () => {
  file('/tmp/salt-dsl-publish-lock/mark.txt', { contents: `${mark}\n`, id: 'publish mark' })
})

const many = Array.from({ length: 120 }, (_, i) =>
  sls(`part${i}`, () => {
    file(`/tmp/salt-dsl-publish-lock/part${i}.txt`, { contents: `part ${i} of ${mark}\n`, id: `part ${i}` })
  }),
)

inventory({
  machines: {
    'publish-minion': {
      platform: 'debian',
      environment: 'personal',
      profile: profile('publish', { sls: [marker, ...many] }),
      via: 'master',
    },
  },
  fleet: { publishRoot: process.env.PUBLISH_ROOT || '/srv/salt-dsl' },
})
