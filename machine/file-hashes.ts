import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs'
import { homedir } from 'node:os'

const CHUNK = 1 << 20

/**
 * The sha256 of each file on this machine, as Salt's `file.get_hash` gives it (the content, through
 * symbolic links). A missing or unreadable file, and anything that is not a regular file once opened (a
 * directory, a FIFO or device planted at a dotfile's path), has no entry. `~user/…` and `~/…` are the
 * user's home as Salt expands them. Read here rather than by a salt-call of its own: the same bytes on the
 * same host, without Salt's start-up (0.4–0.7 s) twice per apply.
 */
export function fileHashes(paths: readonly string[]): Map<string, string> {
  const out = new Map<string, string>()
  const buf = Buffer.alloc(CHUNK)
  const homes = new Map<string, string | undefined>()
  for (const path of paths) {
    let fd: number | undefined
    try {
      const file = expandUser(path, homes)
      if (file === undefined) continue
      // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
      fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
      if (!fstatSync(fd).isFile()) continue
      const h = createHash('sha256')
      for (let n = readSync(fd, buf, 0, CHUNK, null); n > 0; n = readSync(fd, buf, 0, CHUNK, null))
        h.update(buf.subarray(0, n))
      out.set(path, h.digest('hex'))
    } catch {
      // missing, unreadable, or gone meanwhile: no hash, as Salt gives none
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
  }
  return out
}

/** `~user/rest` or `~/rest` with the home expanded (Python's `expanduser`); undefined for an unknown user. */
export function expandUser(path: string, homes = new Map<string, string | undefined>()): string | undefined {
  const m = /^~([^/]*)(\/.*)?$/.exec(path)
  if (m === null) return path
  const user = m[1]!
  if (!homes.has(user)) homes.set(user, user === '' ? process.env.HOME || homedir() : homeOf(user))
  const home = homes.get(user)
  return home === undefined ? undefined : `${home.replace(/\/+$/, '') || '/'}${m[2] ?? ''}`
}

/** A user's home directory: the password file, else the system's user database (NSS, directory services). */
function homeOf(user: string): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':')
      if (f[0] === user && f.length >= 7) return f[5]
    }
  } catch {}
  const getent = spawnSync('getent', ['passwd', user], { encoding: 'utf8' })
  if (getent.status === 0) return getent.stdout.trim().split(':')[5]
  const dscl = spawnSync('dscl', ['.', '-read', `/Users/${user}`, 'NFSHomeDirectory'], { encoding: 'utf8' })
  if (dscl.status === 0) return /NFSHomeDirectory:\s*(\S.*)/.exec(dscl.stdout)?.[1]?.trim()
  return undefined
}
