import { spawnSync } from 'node:child_process'

/** One `gpg` run, batch mode, never prompting; `ok` false with gpg's stderr when it failed. */
export function gpg(
  home: string,
  args: readonly string[],
  input?: string,
): { ok: boolean; stdout: string; stderr: string } {
  const run = spawnSync(
    'gpg',
    ['--homedir', home, '--batch', '--yes', '--no-tty', '--pinentry-mode', 'loopback', ...args],
    { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  )
  if (run.error) return { ok: false, stdout: '', stderr: `gpg could not run: ${run.error.message}` }
  return { ok: run.status === 0, stdout: run.stdout, stderr: run.stderr }
}

/** ASCII-armoured PGP message of `plain` to every key in `recipientFiles` (exported public keys). */
export function encryptTo(scratchHome: string, recipientFiles: readonly string[], plain: string) {
  const recipients = recipientFiles.flatMap((f) => ['--recipient-file', f])
  return gpg(scratchHome, ['--trust-model', 'always', '--armor', '--encrypt', ...recipients], plain)
}

/** A key pair without a passphrase (a machine's key is read unattended by Salt's gpg renderer). */
export function generateKey(home: string, uid: string) {
  return gpg(home, ['--passphrase', '', '--quick-generate-key', uid, 'default', 'default', 'never'])
}

/** The fingerprint of the newest key whose uid is `uid` in `home`, if any. */
export function fingerprintOf(home: string, uid: string): string | undefined {
  const list = gpg(home, ['--with-colons', '--list-secret-keys', `=${uid}`])
  return list.ok ? primaryFingerprints(list.stdout).at(-1) : undefined
}

/** The primary keys' fingerprints in gpg's `--with-colons` listing (a subkey's fpr line follows `sub`/`ssb`). */
export function primaryFingerprints(colons: string): string[] {
  const out: string[] = []
  let wantPrimary = false
  for (const line of colons.split('\n')) {
    if (line.startsWith('sec:') || line.startsWith('pub:')) wantPrimary = true
    else if (line.startsWith('ssb:') || line.startsWith('sub:')) wantPrimary = false
    else if (line.startsWith('fpr:') && wantPrimary) {
      out.push(line.split(':')[9] ?? '')
      wantPrimary = false
    }
  }
  return out
}

/** The armoured public key of `fingerprint`. */
export function exportPublic(home: string, fingerprint: string) {
  return gpg(home, ['--armor', '--export', fingerprint])
}

/** The fingerprint(s) of the primary key(s) in an armoured public key file (read without importing). */
export function fingerprintsInFile(scratchHome: string, file: string): string[] {
  const shown = gpg(scratchHome, ['--with-colons', '--import-options', 'show-only', '--import', file])
  return primaryFingerprints(shown.stdout)
}
