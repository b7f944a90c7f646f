import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'
import { type LoopbackMaster, startLoopbackMaster } from '../support/master.ts'

type Step = { __id__: string; result: boolean; comment: string; __run_num__: number }

/** The orchestrate steps of a `salt-run state.orchestrate` answer, in run order. */
function steps(data: unknown): Step[] {
  const ret = (data as { data?: Record<string, Record<string, Step>> }).data ?? {}
  const master = Object.values(ret)[0] ?? {}
  return Object.values(master).sort((a, b) => a.__run_num__ - b.__run_num__)
}

describe('orchestrate against a real salt-master and salt-minion on 127.0.0.1', () => {
  const dir = tempDir()
  const out = join(dir, 'out')
  const root = join(dir, 'root')
  let user: ReturnType<typeof throwawayUser>
  let master: LoopbackMaster
  const build = (minDiskMb: number) => {
    const env = {
      OPS_USER: user.name,
      OPS_ROOT: root,
      OPS_MASTER_TEST: '1',
      OPS_MIN_DISK_MB: String(minDiskMb),
    }
    const run = dsl(['build', 'test/ops/fixture', '--out', out, '--no-typecheck'], env)
    expect(run.status, run.stderr).toBe(0)
  }

  beforeAll(async () => {
    user = throwawayUser()
    build(1)
    const grains = JSON.parse(
      dsl(['show', 'grains', 'test/ops/fixture', '--machine', 'ops-test', '--format', 'json']).stdout,
    )
    master = await startLoopbackMaster({ dir, tree: out, minionId: 'ops-test', grains: grains.grains })
  }, 180_000)

  afterAll(() => {
    master?.stop()
    user?.remove()
  })

  it('runs every phase in order and the machine ends up configured and validated', () => {
    const run = master.run(['state.orchestrate', 'orchestrate'], 600_000)
    const ran = steps(run.data)
    expect(ran.map((s) => `${s.__id__}: ${s.result}`)).toEqual([
      'orchestrate: pre-flight: true',
      'orchestrate: install minimal: true',
      'orchestrate: configure: true',
      'orchestrate: validate: true',
      'orchestrate: report: true',
      'orchestrate: clean up: true',
    ])
    expect(run.status, run.stderr).toBe(0)
    expect(readFileSync(join(root, 'etc/app.conf'), 'utf8')).toBe('answer = 42\n')
    expect(readFileSync(join(user.home, '.gitconfig'), 'utf8')).toContain('ada@example.org')
  }, 600_000)

  it('stops after a failing pre-flight: no later phase runs', () => {
    build(1e9) // more free disk than any machine has
    master.refresh()
    const run = master.run(['state.orchestrate', 'orchestrate'], 600_000)
    const ran = steps(run.data)
    expect(ran[0]?.__id__).toBe('orchestrate: pre-flight')
    expect(ran[0]?.result).toBe(false)
    for (const later of ran.slice(1)) expect(later.result, later.__id__).toBe(false)
    expect(
      ran.slice(1).every((s) => /requisite|failhard/i.test(s.comment)),
      JSON.stringify(ran),
    ).toBe(true)
    expect(run.status).not.toBe(0)
    expect(existsSync(join(root, 'etc/app.conf'))).toBe(true) // from the first run, untouched
  }, 600_000)
})
