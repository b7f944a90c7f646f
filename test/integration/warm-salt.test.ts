// A salt-call loaded ahead (while the config builds, while a question is read) runs exactly what a cold
// one runs, and never outlives the salt-dsl that started it, even one killed with SIGKILL.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { writeMinionConfig } from '../../compiler/salt/minion-config.ts'
import { prewarmSalt, saltCall } from '../../compiler/salt/salt-call.ts'
import { REPO, tempDir } from '../support/cli.ts'
import { saltCallPath } from '../support/salt.ts'

const python = join(dirname(saltCallPath()), 'python3')

/** The warm salt-calls (waiting or running) whose parent is `ppid`. */
function warmChildren(ppid: number): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (parent === ppid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('warm-call.py'))
        out.push(Number(name))
    } catch {}
  }
  return out
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')
  } catch {
    return false
  }
}

describe('a salt-call loaded ahead', () => {
  it('answers as a cold one does, in the config dir it was given', async () => {
    const dir = tempDir('salt-dsl-warm-')
    const conf = join(dir, 'conf')
    writeMinionConfig(conf, { id: 'warm-box', fileRoot: dir, pillarRoot: dir, root: join(dir, 'root') })
    const cold = await saltCall({ python, confDir: conf, fun: 'grains.item', args: ['id', 'os_family'] })
    prewarmSalt(python)
    await sleep(1500) // loaded by now
    let used: string | undefined
    const warm = await saltCall({
      python,
      confDir: conf,
      fun: 'grains.item',
      args: ['id', 'os_family'],
      onSpawn: (pid) => {
        used = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      },
    })
    expect(used).toContain('warm-call.py')
    expect(warm.code).toBe(0)
    expect(warm.data).toEqual(cold.data)
    expect(warm.data).toEqual({ id: 'warm-box', os_family: expect.any(String) })
  }, 60_000)

  it('ends, having run nothing, when the dsl that started it is killed', async () => {
    const dir = tempDir('salt-dsl-warm-')
    // a plan whose build takes long enough to be killed in it, with the warm salt-call waiting
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin/dsl.js'), 'plan', 'test/machine/fixture', '--out', join(dir, 'out')],
      { cwd: REPO, env: { ...process.env, DSL_STATE_DIR: join(dir, 'state') }, stdio: 'ignore' },
    )
    let waiting: number[] = []
    for (let i = 0; i < 100 && waiting.length === 0; i++) {
      await sleep(50)
      waiting = warmChildren(child.pid!)
    }
    expect(waiting.length).toBe(1)
    child.kill('SIGKILL')
    for (let i = 0; i < 100 && alive(waiting[0]!); i++) await sleep(50)
    expect(alive(waiting[0]!)).toBe(false)
  }, 60_000)

  it('is started by dsl plan before the CLI loads, and that one runs the plan: no second Python', async () => {
    const dir = tempDir('salt-dsl-warm-')
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin/dsl.js'), 'plan', 'test/machine/fixture', '--out', join(dir, 'out'), '--no-typecheck'],
      {
        cwd: REPO,
        env: { ...process.env, DSL_STATE_DIR: join(dir, 'state'), MACHINE_ROOT: join(dir, 'managed') },
        stdio: 'ignore',
      },
    )
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
    let done = false
    void exited.then(() => {
      done = true
    })
    // every warm salt-call the plan had, from its first moments to its end
    const seen = new Set<number>()
    while (!done) {
      for (const pid of warmChildren(child.pid!)) seen.add(pid)
      await sleep(10)
    }
    expect(await exited).toBe(0)
    expect(seen.size).toBe(1)
  }, 60_000)
})
