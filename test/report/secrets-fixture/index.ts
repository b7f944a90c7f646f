// Two machines with one secret each (from the environment), for the audit log: the generation applied as
// audit-box names its secret, never the other machine's, never a value. AUDIT_VARIANT changes a plain file.
import { file, inventory, layer, profile, secret, sls } from 'salt-dsl'

const root = process.env.AUDIT_ROOT || '/nonexistent'

export const box = sls('box', () => {
  file(`${root}/api-token`, { mode: '0600', contents: secret('env', 'AUDIT_API_TOKEN'), makedirs: true })
  file(`${root}/variant`, { contents: `${process.env.AUDIT_VARIANT || 'a'}\n`, makedirs: true })
})

export const other = sls('other', () => {
  file(`${root}/other-token`, { mode: '0600', contents: secret('env', 'AUDIT_OTHER_TOKEN'), makedirs: true })
})

layer('environments/test', {})

inventory({
  machines: {
    'audit-box': { platform: 'debian', environment: 'test', profile: profile('box', { sls: [box] }) },
    'audit-other': { platform: 'debian', environment: 'test', profile: profile('other', { sls: [other] }) },
  },
})
