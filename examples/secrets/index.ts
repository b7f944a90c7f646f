// A secret from the environment variable DEMO_TOKEN, delivered to the one machine whose state needs it:
// encrypted to that machine's key in out/pillar/dsl_secrets/<id>.sls (#!yaml|gpg), never in out/salt.
//   dsl secrets init                    # the operator's key (lets `dsl secrets show --reveal` decrypt)
//   dsl secrets machine-key demo-box    # on demo-box: its key in Salt's gpg_keydir, public part in secrets/keys
//   DEMO_TOKEN=... dsl build examples/secrets/index.ts
import { file, inventory, layer, profile, secret, sls, user } from 'salt-dsl'

/** The throw-away user the tests create; the machine id the tests apply as. */
const owner = process.env.SECRETS_USER || 'secretsdemo'
const home = process.env.SECRETS_HOME || `/home/${owner}`
const machine = process.env.SECRETS_MACHINE || 'demo-box'

export const token = sls('token', () => {
  const account = user(owner, { home, createhome: true, shell: '/bin/sh' })
  // Salt writes it from pillar (contents_pillar), without a diff: the SLS only names dsl_secrets:DEMO_TOKEN
  file(`${home}/.demo-token`, {
    user: owner,
    group: owner,
    mode: '0600',
    contents: secret('env', 'DEMO_TOKEN'),
    require: [account],
  })
})

layer('environments/demo', {})

const demo = profile('demo', { sls: [token] })

inventory({ machines: { [machine]: { platform: 'debian', environment: 'demo', profile: demo } } })
