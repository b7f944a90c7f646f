import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { writeWhole } from '../compiler/write/write-whole.ts'

/** The store's lock: one writer at a time. */
export interface StoreLock {
  /** Records the pid of the salt-call it started, so that a successor waits for it if this one dies. */
  noteSalt(pid: number): void
  release(): void
}

interface Holder {
  readonly pid: number
  readonly salt?: number
}

/** Whether process `pid` still runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the lock file `file` (created exclusively, holding our pid). A lock whose holder is dead (killed,
 * say) is taken over, once the salt-call it had started has finished: a killed `dsl apply` leaves its
 * salt-call running, and two Salt runs must not apply at once. `onWait` is told once what it waits for.
 */
export async function takeLock(file: string, onWait: (why: string) => void): Promise<StoreLock> {
  let told = false
  const tell = (why: string) => {
    if (!told) onWait(why)
    told = true
  }
  for (;;) {
    if (create(file)) {
      return {
        noteSalt(salt) {
          // renamed over the lock: a reader never sees it empty
          writeWhole(file, JSON.stringify({ pid: process.pid, salt } satisfies Holder))
        },
        release() {
          try {
            unlinkSync(file)
          } catch {}
        },
      }
    }
    const holder = readHolder(file)
    if (holder !== undefined && alive(holder.pid)) {
      tell(`waiting for another salt-dsl run (pid ${holder.pid}) to finish`)
    } else if (holder?.salt !== undefined && alive(holder.salt)) {
      tell(`waiting for the salt-call (pid ${holder.salt}) of an interrupted run to finish`)
    } else {
      takeOver(file)
      continue
    }
    await sleep(200)
  }
}

/**
 * Creates `file` holding our pid, or returns false when it exists. Written to a name of our own first and
 * linked into place, so the lock is never seen empty (a reader taking an empty lock for a dead one would
 * take over a live holder's).
 */
function create(file: string): boolean {
  const own = `${file}.${process.pid}`
  writeFileSync(own, JSON.stringify({ pid: process.pid } satisfies Holder), { mode: 0o644 })
  try {
    linkSync(own, file)
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    return false
  } finally {
    try {
      unlinkSync(own)
    } catch {}
  }
}

/**
 * Removes a dead holder's lock. One taker at a time (a second lock, `<file>.takeover`, itself given up after
 * 10 s when its taker was killed), and only if the lock still names a dead holder: two takers that both saw
 * it dead would otherwise each remove it, the second removing the first's new lock.
 */
function takeOver(file: string): void {
  const guard = `${file}.takeover`
  if (!create(guard)) {
    try {
      if (Date.now() - statSync(guard).mtimeMs > 10_000) unlinkSync(guard)
    } catch {}
    return
  }
  try {
    const holder = readHolder(file)
    const dead =
      holder === undefined || (!alive(holder.pid) && (holder.salt === undefined || !alive(holder.salt)))
    if (dead) {
      try {
        unlinkSync(file)
      } catch {}
    }
  } finally {
    try {
      unlinkSync(guard)
    } catch {}
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Holder
    return typeof h.pid === 'number' ? h : undefined
  } catch {
    return undefined
  }
}
