import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

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
    try {
      const fd = openSync(file, 'wx', 0o644)
      writeSync(fd, JSON.stringify({ pid: process.pid } satisfies Holder))
      closeSync(fd)
      return {
        noteSalt(salt) {
          writeFileSync(file, JSON.stringify({ pid: process.pid, salt } satisfies Holder))
        },
        release() {
          try {
            unlinkSync(file)
          } catch {}
        },
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    const holder = readHolder(file)
    if (holder !== undefined && alive(holder.pid)) {
      tell(`waiting for another salt-dsl run (pid ${holder.pid}) to finish`)
    } else if (holder?.salt !== undefined && alive(holder.salt)) {
      tell(`waiting for the salt-call (pid ${holder.salt}) of an interrupted run to finish`)
    } else {
      // dead holder (or a lock written half): take it over; a racing taker fails on 'wx' and loops
      try {
        unlinkSync(file)
      } catch {}
      continue
    }
    await sleep(200)
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
