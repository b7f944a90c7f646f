// States whose IDs Salt renders (a render-time loop over pillar) are reported at their TypeScript line:
// the failed one and the one it blocked, by plan and apply alike.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
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

  it('a state of the loop whose pillar entry went is pruned, shown by plan at its line first', () => {
    const dir = tempDir('salt-dsl-loop-prune-')
    const root = join(dir, 'managed')
    const env = { MACHINE_ROOT: root, DSL_STATE_DIR: join(dir, 'state') }
    for (const name of ['ada', 'bob']) mkdirSync(join(root, name), { recursive: true })
    const common = [FIXTURE, '--out', join(dir, 'out'), '--machine', 'box', '--no-typecheck']
    const first = dsl(['apply', ...common, '--yes'], env)
    expect(first.status, first.stderr).toBe(0)
    expect(readFileSync(join(root, 'bob', 'note'), 'utf8')).toBe('hello bob\n')

    // WHEN bob leaves the pillar THEN the plan shows his two files removed, at the loop's lines
    const onlyAda = { ...env, LOOP_NOTES: 'ada' }
    const plan = dsl(['plan', ...common], onlyAda)
    expect(plan.status, plan.stderr).toBe(0)
    expect(plan.stdout).toContain(
      `- remove file.absent bob_note  ${FIXTURE}/index.ts:${lineOf('const note = file(')}\n` +
        `           name: ${root}/bob/note`,
    )
    expect(plan.stdout).toContain(
      `- remove file.absent bob_seen  ${FIXTURE}/index.ts:${lineOf('_seen`')}\n` +
        `           name: ${root}/bob/seen`,
    )
    expect(plan.stdout).toMatch(/0 to create, 0 to change, 2 to remove/)
    expect(existsSync(join(root, 'bob', 'note'))).toBe(true)

    // AND the apply removes them and keeps ada's; the next plan has nothing to do
    const apply = dsl(['apply', ...common, '--yes'], onlyAda)
    expect(apply.status, apply.stderr).toBe(0)
    expect(existsSync(join(root, 'bob', 'note'))).toBe(false)
    expect(existsSync(join(root, 'bob', 'seen'))).toBe(false)
    expect(readFileSync(join(root, 'ada', 'note'), 'utf8')).toBe('hello ada\n')
    const again = dsl(['plan', ...common], onlyAda)
    expect(again.status, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/0 to create, 0 to change, 0 to remove/)
  }, 120_000)
})
