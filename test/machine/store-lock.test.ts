// The store's lock and the debris of killed runs, without Salt: what a killed `dsl apply` leaves (a lock
// naming a dead pid, a salt-call still running in its run space) is waited for, then cleared.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GenerationStore } from '../../machine/generation-store.ts'
import { tempDir } from '../support/cli.ts'

/** A pid that no process has any more. */
function deadPid(): number {
  const p = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  })
  return Number(p.stdout)
}

describe('the store lock', () => {
  it("takes over a dead holder's lock and clears its run space", async () => {
    const store = new GenerationStore(tempDir('salt-dsl-lock-'))
    const pid = deadPid()
    mkdirSync(join(store.dir, 'runs', `${pid}-0000`, 'tree'), { recursive: true })
    writeFileSync(join(store.dir, 'lock'), JSON.stringify({ pid }))
    const waits: string[] = []
    const lock = await store.lock((why) => waits.push(why))
    expect(waits).toEqual([])
    expect(readdirSync(join(store.dir, 'runs'))).toEqual([])
    lock.release()
    expect(existsSync(join(store.dir, 'lock'))).toBe(false)
  })

  it('waits for a process still working in a killed run space, whose pid the lock never noted', async () => {
    const store = new GenerationStore(tempDir('salt-dsl-lock-'))
    const pid = deadPid()
    const space = join(store.dir, 'runs', `${pid}-0000`)
    mkdirSync(join(space, 'salt', 'conf-apply'), { recursive: true })
    writeFileSync(join(store.dir, 'lock'), JSON.stringify({ pid }))
    // stands for the orphaned salt-call: its command line names its run's config dir
    const orphan = spawn('sh', ['-c', 'sleep 1.5', join(space, 'salt', 'conf-apply')], { stdio: 'ignore' })
    const exited = new Promise<number>((done) => orphan.on('exit', () => done(Date.now())))
    await new Promise((r) => setTimeout(r, 100))
    const waits: string[] = []
    const lock = await store.lock((why) => waits.push(why))
    const got = Date.now()
    expect(waits).toEqual([`waiting for the salt-call (pid ${orphan.pid}) of an interrupted run to finish`])
    expect(got).toBeGreaterThanOrEqual(await exited)
    expect(readdirSync(join(store.dir, 'runs'))).toEqual([])
    lock.release()
  })

  it('makes a second taker wait while the first holds it', async () => {
    const store = new GenerationStore(tempDir('salt-dsl-lock-'))
    const first = await store.lock(() => {})
    const waits: string[] = []
    let second = false
    const pending = store
      .lock((why) => waits.push(why))
      .then((l) => {
        second = true
        return l
      })
    await new Promise((r) => setTimeout(r, 500))
    expect(second).toBe(false)
    expect(waits).toEqual([`waiting for another salt-dsl run (pid ${process.pid}) to finish`])
    first.release()
    ;(await pending).release()
    expect(second).toBe(true)
  })
})
