// The public keys `dsl secrets` writes and the ones `dsl build` reads are the same files, wherever in the
// project the commands run: `secrets/` at the project's root (beside package.json), not beside the config.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'
import { userProject } from '../support/user-project.ts'

const CONFIG = `import { file, inventory, profile, secret, sls } from 'salt-dsl'
const token = sls('token', () => {
  file('/tmp/salt-dsl-project-keys', { mode: '0600', contents: secret('env', 'PROJECT_KEYS_TOKEN') })
})
inventory({ machines: { box: { platform: 'debian', environment: 'e', profile: profile('p', { sls: [token] }) } } })
`

describe('secrets: one place for the public keys', () => {
  it('a machine key made from the config directory is the one a build from the project root reads', () => {
    const dir = userProject({ 'config/index.ts': CONFIG })
    const keyring = tempDir()
    const env = {
      DSL_SECRETS_GNUPGHOME: join(keyring, 'operator'),
      DSL_GPG_KEYDIR: join(keyring, 'machine'),
      PROJECT_KEYS_TOKEN: 'project-keys-plaintext',
    }
    expect(dsl(['secrets', 'init'], env, join(dir, 'config')).status).toBe(0)
    expect(dsl(['secrets', 'machine-key', 'box'], env, join(dir, 'config')).status).toBe(0)
    expect(existsSync(join(dir, 'secrets', 'keys', 'box.asc'))).toBe(true)
    const build = dsl(['build', '--no-typecheck'], env, dir)
    expect(build.status, build.stderr).toBe(0)
    const pillar = readFileSync(join(dir, 'out', 'pillar', 'dsl_secrets', 'box.sls'), 'utf8')
    expect(pillar).toContain('-----BEGIN PGP MESSAGE-----')
    expect(pillar).not.toContain('project-keys-plaintext')
  })
})
