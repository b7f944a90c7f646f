// examples/secrets: DEMO_TOKEN from the environment to a throw-away user's file, built and applied for real
// (its machine's key in a throw-away gpg_keydir, the public keys in a throw-away directory).
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, readTree, tempDir } from '../support/cli.ts'

const TOKEN = 'demo-Xy73-token'
let user: ReturnType<typeof throwawayUser>
let env: Record<string, string>

beforeAll(() => {
  if (spawnSync('sh', ['-c', 'command -v gpg']).status !== 0)
    throw new Error('gnupg is missing: apt-get install -y gnupg')
  const root = tempDir('dsl-secrets-example-')
  user = throwawayUser()
  env = {
    DSL_SECRETS_GNUPGHOME: join(root, 'operator'),
    DSL_SECRETS_DIR: join(root, 'public-keys'),
    DSL_GPG_KEYDIR: join(root, 'keydir'),
    DSL_STATE_DIR: join(root, 'state'),
    SECRETS_USER: user.name,
    SECRETS_HOME: user.home,
    SECRETS_MACHINE: 'demo-box',
    DEMO_TOKEN: TOKEN,
    OUT: join(root, 'out'),
  }
})

afterAll(() => {
  user?.remove()
  for (const home of [env?.DSL_SECRETS_GNUPGHOME, env?.DSL_GPG_KEYDIR])
    if (home) spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'])
})

it('examples/secrets: the token lands in the user file, 0600, and nowhere else in clear', () => {
  for (const args of [
    ['secrets', 'init'],
    ['secrets', 'machine-key', 'demo-box'],
  ]) {
    const r = dsl(args, env)
    expect(r.status, r.stderr).toBe(0)
  }
  const out = env.OUT!
  const applied = dsl(
    ['apply', 'examples/secrets', '--out', out, '--machine', 'demo-box', '--yes', '--no-typecheck'],
    env,
  )
  expect(applied.status, applied.stdout + applied.stderr).toBe(0)
  const file = join(user.home, '.demo-token')
  expect(readFileSync(file, 'utf8').trim()).toBe(TOKEN)
  expect(statSync(file).mode & 0o777).toBe(0o600)
  expect(statSync(file).uid).toBe(Number(execFileSync('id', ['-u', user.name], { encoding: 'utf8' })))
  expect(applied.stdout + applied.stderr).not.toContain(TOKEN)
  for (const [path, bytes] of readTree(out)) expect(bytes.toString('utf8'), path).not.toContain(TOKEN)
  const audit = dsl(['secrets', 'audit', '--out', out], env)
  expect(audit.stdout).toMatch(/demo-box\t[0-9A-F]{40}\tDEMO_TOKEN/)
}, 600_000)
