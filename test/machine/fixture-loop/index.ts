// States declared in a render-time loop: their IDs are rendered by Salt from the pillar, so the manifest
// knows them by their labels (`${pillar.notes[*].key}_note`). Each user's note goes into a directory that
// exists only for the users the test prepares: the others fail, and what requires their note is blocked.
import { file, forEach, inventory, layer, pillarSchema, profile, sls, text, z } from 'salt-dsl'

const root = process.env.MACHINE_ROOT || '/tmp/salt-dsl-loop'

const { pillar } = pillarSchema(z.object({ notes: z.record(z.string(), z.object({ text: z.string() })) }))
// LOOP_NOTES names whose notes the pillar holds (a test drops one to see its states pruned)
const names = (process.env.LOOP_NOTES ?? 'ada,bob').split(',').filter(Boolean)
layer('defaults/notes', {
  notes: Object.fromEntries(names.map((n) => [n, { text: `hello ${n}\n` }])),
})
layer('environments/everyone', {})

export const notes = sls('notes', () => {
  forEach(pillar.notes, (n, name) => {
    const note = file(text`${root}/${name}/note`, { id: text`${name}_note`, contents: n.text })
    file(text`${root}/${name}/seen`, { id: text`${name}_seen`, contents: 'seen\n', require: [note] })
  })
})

inventory({
  machines: {
    box: {
      platform: 'debian',
      environment: 'everyone',
      profile: profile('base', { sls: [notes] }),
      users: [],
    },
  },
})
