// States whose IDs Salt renders (a render-time loop over pillar) are reported at their TypeScript line:
// the failed one and the one it blocked, by plan and apply alike.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/machine/fixture-loop'
const SOURCE = readFileSync(join(REPO, FIXTURE, 'index.ts'), 'utf8').split('\n')
const lineOf = (text: string) => SOURCE.findIndex((l) => l.includes(text)) + 1

interface RunJson {
  states: { id: string; status: string; file?: string; line?: number }[]
}

describe('states of a render-time loop', () => {
  it('carry the line of their declaration in plan and apply, failed and blocked ones too', () => {
    const dir = tempDir('salt-dsl-loop-')
    const env = { MACHINE_ROOT: join(dir, 'managed'), DSL_STATE_DIR: join(dir, 'state') }
    mkdirSync(join(dir, 'managed', 'ada'), { recursive: true }) // bob's directory is missing: his note fails
    const common = [
      FIXTURE,
      '--out',
      join(dir, 'out'),
      '--machine',
      'box',
      '--no-typecheck',
      '--format',
      'json',
    ]
    const noteLine = lineOf('const note = file(')
    const seenLine = lineOf('_seen`')
    const expected = {
      ada_note: noteLine,
      ada_seen: seenLine,
      bob_note: noteLine,
      bob_seen: seenLine,
    }
    const plan = dsl(['plan', ...common], env)
    const planned = JSON.parse(plan.stdout) as RunJson
    expect(Object.fromEntries(planned.states.map((s) => [s.id, s.line]))).toEqual(expected)
    for (const s of planned.states) expect(s.file, s.id).toBe(`${FIXTURE}/index.ts`)

    const apply = dsl(['apply', ...common, '--yes'], env)
    expect(apply.status, apply.stderr).toBe(1)
    const applied = JSON.parse(apply.stdout) as RunJson
    expect(Object.fromEntries(applied.states.map((s) => [s.id, [s.status, s.line]]))).toEqual({
      ada_note: ['ok', noteLine],
      ada_seen: ['ok', seenLine],
      bob_note: ['failed', noteLine],
      bob_seen: ['blocked', seenLine],
    })
    // the diagnostics on stderr point at the TypeScript too
    expect(apply.stderr).toContain(`${FIXTURE}/index.ts:${noteLine}:`)
    expect(apply.stderr).toContain(`${FIXTURE}/index.ts:${seenLine}:`)
  }, 120_000)
})
