// Secrets through the real CLI, real gnupg, real `pass` and the real Salt 3008.4 (its gpg renderer), as
// root, into a throw-away user, with throw-away keyrings: no plaintext in out/, the manifest, any CLI output,
// Salt's JSON result or its debug log; each machine reads its own secrets only; no diff of a replaced key.
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, readTree, tempDir } from '../support/cli.ts'
import { saltCall } from '../support/salt.ts'

const FIX = 'test/secrets/fixture'

// distinct, greppable plaintexts
const PASS = 'pass-Zq81-plaintext'
const ENV = 'env-Wv27-plaintext'
const ENV2 = 'env-Rt64-rotated'
const FILE = 'file-Kx55-plaintext'
const GITTOKEN = 'ghp-Gt93-plaintext'
const GITCONFIG = `[user]\n\tname = demo\n[github]\n\ttoken = ${GITTOKEN}\n`
const OLD_GITTOKEN = 'ghp-Old17-plaintext'
const B = 'b-Mm42-plaintext'
const OLD_KEY = 'OLDKEY-Hq20-private'
const NEW_KEY = 'NEWKEY-Lp38-private'
const SECRETS = [PASS, ENV, ENV2, FILE, GITTOKEN, OLD_GITTOKEN, B]

/** gnupg and pass, installed here when missing (as root, with apt-get), or a loud failure. */
function ensureTools(): void {
  const missing = () => ['gpg', 'pass'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0)
  if (missing().length === 0) return
  const canApt = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0
  if (canApt) execFileSync('apt-get', ['install', '-y', 'gnupg', 'pass'], { stdio: 'ignore' })
  if (missing().length > 0)
    throw new Error(`secrets tests need ${missing().join(' and ')}: apt-get install -y gnupg pass`)
}

/** Every plaintext `text` holds (an empty list is what every check wants). */
const leaks = (text: string, plains: readonly string[] = SECRETS) => plains.filter((p) => text.includes(p))

/** Every file under `dir` whose bytes hold a plaintext, as `path: plaintext`. */
function leaksIn(dir: string, plains: readonly string[] = SECRETS): string[] {
  const found: string[] = []
  for (const [path, bytes] of readTree(dir))
    for (const p of leaks(bytes.toString('utf8'), plains)) found.push(`${path}: ${p}`)
  return found
}

describe('secrets: pass, env and file secrets to the machine that needs them, encrypted with its key', () => {
  let root: string
  let out: string
  let keyA: string
  let keyB: string
  let env: Record<string, string>
  let user: ReturnType<typeof throwawayUser>
  /** Every CLI output of this file, checked for plaintext at the end of each test. */
  const outputs: string[] = []
  const run = (args: readonly string[], extra: Record<string, string> = {}) => {
    const r = dsl(args, { ...env, ...extra })
    outputs.push(`$ dsl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`)
    return r
  }
  const auditOf = () =>
    JSON.parse(readFileSync(join(out, 'secrets.json'), 'utf8')) as {
      machines: Record<string, { key: string; secrets: string[] }>
      secrets: Record<string, { version: string; machines: string[] }>
    }

  beforeAll(() => {
    ensureTools()
    root = tempDir('dsl-secrets-')
    out = join(root, 'out')
    keyA = join(root, 'keydir-a')
    keyB = join(root, 'keydir-b')
    const op = join(root, 'operator')
    writeFileSync(join(root, 'file-secret'), FILE)
    user = throwawayUser()
    // what was there before: a private key and a .gitconfig with a token
    mkdirSync(join(user.home, '.ssh'), { mode: 0o700 })
    writeFileSync(join(user.home, '.ssh/id_ed25519'), `${OLD_KEY}\n`, { mode: 0o600 })
    writeFileSync(join(user.home, '.gitconfig'), `[github]\n\ttoken = ${OLD_GITTOKEN}\n`, { mode: 0o600 })
    const uid = Number(execFileSync('id', ['-u', user.name], { encoding: 'utf8' }))
    for (const f of ['.ssh', '.ssh/id_ed25519', '.gitconfig']) chownSync(join(user.home, f), uid, uid)
    env = {
      DSL_SECRETS_GNUPGHOME: op,
      DSL_SECRETS_DIR: join(root, 'public-keys'),
      DSL_STATE_DIR: join(root, 'state'),
      GNUPGHOME: op,
      PASSWORD_STORE_DIR: join(root, 'password-store'),
      SEC_USER: user.name,
      SEC_HOME: user.home,
      SEC_FILE: join(root, 'file-secret'),
      SEC_NEW_KEY: NEW_KEY,
      SEC_ENV_TOKEN: ENV,
      SEC_GITCONFIG: GITCONFIG,
      SEC_B_TOKEN: B,
    }
    const init = run(['secrets', 'init'])
    expect(init.status, init.stderr).toBe(0)
    const fpr = /operator key ([0-9A-F]{40})/.exec(init.stdout)?.[1]
    expect(fpr).toBeDefined()
    const penv = { ...process.env, ...env }
    execFileSync('pass', ['init', fpr!], { env: penv, stdio: 'ignore' })
    execFileSync('pass', ['insert', '-m', 'demo/api'], {
      env: penv,
      input: `${PASS}\n`,
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    for (const [id, dir] of [
      ['sec-a', keyA],
      ['sec-b', keyB],
    ] as const) {
      const made = run(['secrets', 'machine-key', id], { DSL_GPG_KEYDIR: dir })
      expect(made.status, made.stderr).toBe(0)
    }
  }, 300_000)

  afterAll(() => {
    user?.remove()
    for (const home of [env?.GNUPGHOME, keyA, keyB])
      if (home) spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'])
  })

  it('builds: no plaintext in out/, the manifest or any output; each machine gets only what its states use', () => {
    const built = run(['build', FIX, '--out', out])
    expect(built.status, built.stderr).toBe(0)
    // the key written from plain config text is in the SLS by design; every secret() value is not
    expect(leaksIn(out)).toEqual([])
    const manifest = readFileSync(join(out, 'manifest.json'), 'utf8')
    expect(leaks(manifest)).toEqual([])
    const sls = readFileSync(join(out, 'salt/tokens.sls'), 'utf8')
    expect(sls).toContain('contents_pillar: dsl_secrets:SEC_ENV_TOKEN')
    expect(sls).toContain('show_changes: false')
    const a = readFileSync(join(out, 'pillar/dsl_secrets/sec-a.sls'), 'utf8')
    const b = readFileSync(join(out, 'pillar/dsl_secrets/sec-b.sls'), 'utf8')
    expect(a.split('\n')[0]).toBe('#!yaml|gpg')
    expect(a.match(/BEGIN PGP MESSAGE/g)).toHaveLength(4)
    expect(b.match(/BEGIN PGP MESSAGE/g)).toHaveLength(1)
    expect(a).not.toContain('SEC_B_TOKEN')
    expect(b).not.toContain('SEC_ENV_TOKEN')
    const audit = auditOf()
    expect(audit.machines['sec-a']?.secrets).toEqual([
      'SEC_ENV_TOKEN',
      'SEC_GITCONFIG',
      'demo_api',
      'file_token',
    ])
    expect(audit.machines['sec-b']?.secrets).toEqual(['SEC_B_TOKEN'])
    // the manifest marks the states whose changes may hold a secret
    const rows = (JSON.parse(manifest) as { states: Record<string, unknown[]> }).states
    expect(rows[`${user.home}/env-token`]?.[5]).toBe(true)
    expect(rows[`~${user.name}/.ssh/id_ed25519`]?.[5]).toBe(true)

    // every reading command masks: show, explain, --format json, the audit, recipients, secrets show
    for (const args of [
      ['show', 'tokens', FIX],
      ['show', 'pillar', FIX, '--machine', 'sec-a'],
      ['show', 'pillar', FIX, '--machine', 'sec-a', '--format', 'json'],
      ['explain', 'dsl_secrets.SEC_ENV_TOKEN', FIX, '--machine', 'sec-a'],
      ['explain', 'dsl_secrets.SEC_ENV_TOKEN', FIX, '--machine', 'sec-a', '--format', 'json'],
      ['build', FIX, '--out', out, '--format', 'json'],
      ['secrets', 'audit', '--out', out],
      ['secrets', 'recipients'],
      ['secrets', 'show', 'SEC_ENV_TOKEN', '--machine', 'sec-a', '--out', out],
    ])
      run(args)
    // reading commands need neither the values nor the keys: they show the tree with masked secrets
    const bare = { ...env, DSL_SECRETS_DIR: join(root, 'no-keys'), SEC_ENV_TOKEN: '', SEC_GITCONFIG: '' }
    for (const args of [
      ['show', 'tokens', FIX],
      ['show', 'pillar', FIX, '--machine', 'sec-a'],
      ['explain', 'owner', FIX, '--machine', 'sec-a'],
    ]) {
      const r = dsl(args, bare)
      expect(r.stderr).not.toMatch(/DSL407[0-2]/)
      if (args[1] !== 'owner') expect(r.status, r.stderr).toBe(0)
    }
    const pillar = run(['show', 'pillar', FIX, '--machine', 'sec-a', '--format', 'json'])
    expect(JSON.parse(pillar.stdout).dsl_secrets).toEqual({
      SEC_ENV_TOKEN: '********',
      SEC_GITCONFIG: '********',
      demo_api: '********',
      file_token: '********',
    })
    const masked = run(['secrets', 'show', 'SEC_ENV_TOKEN', '--machine', 'sec-a', '--out', out])
    expect(masked.stdout).toContain('********')
    expect(leaks(outputs.join('\n'))).toEqual([])
    // --reveal needs a key the block was encrypted to: the operator's does, machine B's does not
    const revealed = dsl(
      ['secrets', 'show', 'SEC_ENV_TOKEN', '--machine', 'sec-a', '--out', out, '--reveal'],
      env,
    )
    expect(revealed.status, revealed.stderr).toBe(0)
    expect(revealed.stdout.trim()).toBe(ENV)
    const wrong = run(['secrets', 'show', 'SEC_ENV_TOKEN', '--machine', 'sec-a', '--out', out, '--reveal'], {
      DSL_REVEAL_GNUPGHOME: keyB,
    })
    expect(wrong.status).toBe(1)
    expect(leaks(wrong.stdout + wrong.stderr)).toEqual([])
  }, 300_000)

  it("machine A's pillar cannot be decrypted with machine B's key (Salt's gpg renderer)", async () => {
    const spec = (gpg_keydir: string) => ({
      id: 'sec-a',
      fileRoot: join(out, 'salt'),
      pillarRoot: join(out, 'pillar'),
      options: { gpg_keydir },
    })
    const asB = await saltCall(spec(keyB), 'pillar.items')
    expect(leaks(asB.stdout + asB.stderr)).toEqual([])
    // Salt refuses a pillar it cannot decrypt (gpg_decrypt_must_succeed) rather than hand out the block
    expect(JSON.stringify(asB.data)).toContain("Rendering SLS 'dsl_secrets.sec-a' failed")
    // the control: with its own key, Salt reads A's secrets
    const asA = await saltCall(spec(keyA), 'pillar.items')
    expect((asA.data as { dsl_secrets: Record<string, string> }).dsl_secrets.SEC_ENV_TOKEN).toBe(ENV)
  }, 300_000)

  it('applies into the throw-away user: 0600, owned, no diff of the replaced key or .gitconfig, no plaintext', async () => {
    const applied = run(['apply', FIX, '--out', out, '--machine', 'sec-a', '--yes', '--no-typecheck'], {
      DSL_GPG_KEYDIR: keyA,
    })
    expect(applied.status, applied.stdout + applied.stderr).toBe(0)
    const uid = Number(execFileSync('id', ['-u', user.name], { encoding: 'utf8' }))
    for (const [f, want] of [
      ['pass-token', PASS],
      ['env-token', ENV],
      ['file-token', FILE],
      ['.gitconfig', GITCONFIG],
      ['.ssh/id_ed25519', NEW_KEY],
    ] as const) {
      const path = join(user.home, f)
      expect(readFileSync(path, 'utf8').trim(), f).toBe(want.trim())
      expect(statSync(path).mode & 0o777, f).toBe(0o600)
      expect(statSync(path).uid, f).toBe(uid)
    }
    const printed = applied.stdout + applied.stderr
    expect(leaks(printed, [...SECRETS, OLD_KEY, NEW_KEY])).toEqual([])
    // the stored tree holds the key written from plain config text, as out/salt does; never a secret
    expect(leaksIn(env.DSL_STATE_DIR!, [...SECRETS, OLD_KEY])).toEqual([])

    // the same replacement once more, straight through Salt: its JSON result and its debug log
    writeFileSync(join(user.home, '.ssh/id_ed25519'), `${OLD_KEY}\n`)
    writeFileSync(join(user.home, '.gitconfig'), `[github]\n\ttoken = ${OLD_GITTOKEN}\n`)
    const result = await saltCall(
      {
        id: 'sec-a',
        fileRoot: join(out, 'salt'),
        pillarRoot: join(out, 'pillar'),
        options: { gpg_keydir: keyA },
      },
      'state.apply',
      ['-l', 'debug'],
      { retcodePassthrough: true },
    )
    expect(result.retcode, result.stdout.slice(0, 2000)).toBe(0)
    expect(result.stdout).toContain('show_changes=False')
    // Salt's debug log (on stderr with -l debug) and its JSON result
    expect(result.stderr).toContain('[DEBUG   ]')
    expect(leaks(result.stdout + result.stderr, [...SECRETS, OLD_KEY, NEW_KEY])).toEqual([])
    expect(readFileSync(join(user.home, '.ssh/id_ed25519'), 'utf8').trim()).toBe(NEW_KEY)
  }, 600_000)

  it('rotation: a new value is rebuilt and applied, the audit shows it, no plaintext anywhere', () => {
    const before = auditOf()
    const rebuilt = run(['build', FIX, '--out', out], { SEC_ENV_TOKEN: ENV2 })
    expect(rebuilt.status, rebuilt.stderr).toBe(0)
    const after = auditOf()
    expect(after.secrets.SEC_ENV_TOKEN?.version).not.toBe(before.secrets.SEC_ENV_TOKEN?.version)
    expect(after.secrets.demo_api?.version).toBe(before.secrets.demo_api?.version)
    const shown = run(['secrets', 'audit', '--out', out])
    expect(shown.stdout).toContain(after.secrets.SEC_ENV_TOKEN!.version)
    // the machine's key rotated too: the pillar is re-encrypted to the new key, the old one is gone
    const rotated = run(['secrets', 'rotate', 'sec-a'], { DSL_GPG_KEYDIR: keyA })
    expect(rotated.status, rotated.stderr).toBe(0)
    const rebuilt2 = run(['build', FIX, '--out', out], { SEC_ENV_TOKEN: ENV2 })
    expect(rebuilt2.status, rebuilt2.stderr).toBe(0)
    expect(auditOf().machines['sec-a']?.key).not.toBe(before.machines['sec-a']?.key)
    const applied = run(['apply', FIX, '--out', out, '--machine', 'sec-a', '--yes', '--no-typecheck'], {
      DSL_GPG_KEYDIR: keyA,
      SEC_ENV_TOKEN: ENV2,
    })
    expect(applied.status, applied.stdout + applied.stderr).toBe(0)
    expect(readFileSync(join(user.home, 'env-token'), 'utf8').trim()).toBe(ENV2)
    expect(applied.stdout).toMatch(/file\.managed .*env-token/)
    expect(leaksIn(out)).toEqual([])
    expect(leaks(outputs.join('\n'))).toEqual([])
    expect(readdirSync(keyA).length).toBeGreaterThan(0)
  }, 600_000)
})
