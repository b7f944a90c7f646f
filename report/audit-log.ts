// The audit log: `<store>/audit.log`, JSON lines, append-only, each line chained to the one before by a
// sha256 (a line edited, removed or reordered breaks the chain from there on).
import { createHash } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { currentUser } from '../machine/generation-store.ts'
import { takeLock } from '../machine/store-lock.ts'

export const AUDIT_FILE = 'audit.log'
const GENESIS = '0'.repeat(64)

/** What one line says (besides `prev` and `hash`, which chain it). */
export interface AuditEvent {
  /** `apply`, `rollback`, `fix`, `note`... */
  readonly action: string
  readonly generation?: number
  readonly of?: number
  readonly machine?: string
  readonly revision?: { readonly commit: string; readonly dirty: boolean }
  readonly summary?: unknown
  /** IDs of the states that changed something. */
  readonly changed?: readonly string[]
  /** IDs of the states whose changes may hold a secret (names only, never values). */
  readonly secrets?: readonly string[]
  /** Names of the encrypted pillar secrets (`secret()`, secrets/) the generation's machine received. */
  readonly secretNames?: readonly string[]
  /** Written after the fact: the generation's own run was stopped before it wrote its line. */
  readonly backfilled?: boolean
  readonly note?: string
}

export interface AuditEntry extends AuditEvent {
  readonly time: string
  readonly user: string
  readonly host: string
  readonly pid: number
  readonly argv: readonly string[]
  readonly prev: string
  readonly hash: string
}

const hashOf = (prev: string, body: string) =>
  createHash('sha256').update(prev).update('\n').update(body).digest('hex')

/** The chained line of `entry` (without its hash) as written: the hash covers every other field. */
function seal(body: Omit<AuditEntry, 'hash'>): string {
  const text = JSON.stringify(body)
  return `${JSON.stringify({ ...body, hash: hashOf(body.prev, text) })}\n`
}

/**
 * Appends one line. Writers take `<store>/audit.lock` (a killed holder's lock is taken over), read the
 * last line's hash, and write the whole line with one write() on an O_APPEND descriptor, then fsync: a
 * process killed at any point leaves the line whole or absent, never half, and never two writers' lines
 * chained to the same predecessor.
 */
export async function appendAudit(storeDir: string, event: AuditEvent): Promise<AuditEntry> {
  const [entry] = await appendAuditEvents(storeDir, () => [event])
  return entry!
}

/**
 * Appends the lines `decide` returns, given the log's entries as they are under the lock (so that two
 * writers never both add what one of them should). Each line is whole on disk before the next is written.
 */
export async function appendAuditEvents(
  storeDir: string,
  decide: (entries: readonly AuditEntry[]) => readonly AuditEvent[],
): Promise<AuditEntry[]> {
  mkdirSync(storeDir, { recursive: true, mode: 0o700 })
  const lock = await takeLock(join(storeDir, 'audit.lock'), () => {})
  try {
    const file = join(storeDir, AUDIT_FILE)
    const events = decide(readAudit(storeDir).entries)
    let prev = lastHash(file)
    // tests widen the window between reading the chain's end and appending (where a concurrent writer or
    // a kill would do harm) so that it is hit for sure
    const hold = Number(process.env.DSL_AUDIT_HOLD_MS ?? 0)
    if (hold > 0) await new Promise((r) => setTimeout(r, hold))
    const written: AuditEntry[] = []
    for (const event of events) {
      const body = {
        time: new Date().toISOString(),
        user: currentUser(),
        host: hostname(),
        pid: process.pid,
        argv: process.argv.slice(2),
        ...event,
        prev,
      }
      const line = seal(body)
      const fd = openSync(file, 'a', 0o600)
      try {
        const buf = Buffer.from(line)
        const n = writeSync(fd, buf)
        // a short write on a regular file means a full disk: say so rather than leave a torn line unsaid
        if (n !== buf.length) throw new Error(`audit log: wrote ${n} of ${buf.length} bytes (disk full?)`)
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      const entry = JSON.parse(line) as AuditEntry
      written.push(entry)
      prev = entry.hash
    }
    return written
  } finally {
    lock.release()
  }
}

function lastHash(file: string): string {
  if (!existsSync(file)) return GENESIS
  const lines = readFileSync(file, 'utf8').split('\n')
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!
    if (l === '') continue
    try {
      return (JSON.parse(l) as AuditEntry).hash
    } catch {
      return GENESIS // a broken last line: verify says so; the chain restarts visibly
    }
  }
  return GENESIS
}

export interface AuditProblem {
  readonly line: number
  readonly message: string
}

export interface AuditCheck {
  readonly entries: readonly AuditEntry[]
  readonly problems: readonly AuditProblem[]
}

/** Reads and verifies the log: every line parses, its hash is its content's, and it names its predecessor. */
export function readAudit(storeDir: string): AuditCheck {
  const file = join(storeDir, AUDIT_FILE)
  if (!existsSync(file)) return { entries: [], problems: [] }
  const text = readFileSync(file, 'utf8')
  const entries: AuditEntry[] = []
  const problems: AuditProblem[] = []
  const lines = text.split('\n')
  if (lines.at(-1) !== '') problems.push({ line: lines.length, message: 'the last line is cut short' })
  let prev = GENESIS
  lines.forEach((l, i) => {
    if (l === '' && i === lines.length - 1) return
    let e: AuditEntry
    try {
      e = JSON.parse(l) as AuditEntry
    } catch {
      problems.push({ line: i + 1, message: 'not a JSON line' })
      return
    }
    const { hash, ...body } = e
    if (hashOf(body.prev, JSON.stringify(body)) !== hash)
      problems.push({ line: i + 1, message: 'its content does not match its hash (edited)' })
    if (body.prev !== prev)
      problems.push({
        line: i + 1,
        message: 'it does not follow the line before it (a line removed, added or moved)',
      })
    prev = hash
    entries.push(e)
  })
  return { entries, problems }
}
