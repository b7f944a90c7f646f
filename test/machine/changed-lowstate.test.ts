// `dsl apply --changed` stores the render it made of its tree with the generation (`lowstate.json`), and
// the next --changed compares against that stored render instead of having Salt render the old tree again.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/machine/fixture'

interface Chunk {
  __id__: string
  name: string
  contents?: string
}

describe('apply --changed reads the last generation stored render (as root, throw-away user and store)', () => {
  let user: ReturnType<typeof throwawayUser>
  let env: Record<string, string>
  let out: string
  let root: string
  let state: string
  const apply = (extra: Record<string, string>, ...flags: string[]) => {
    const run = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes', ...flags], {
      ...env,
      ...extra,
    })
    expect(run.status, run.stderr + run.stdout).toBe(0)
    return run
  }
  const lowstate = (n: number) => join(state, 'generations', String(n), 'lowstate.json')

  beforeAll(() => {
    user = throwawayUser()
    const dir = tempDir('salt-dsl-changed-low-')
    out = join(dir, 'out')
    root = join(dir, 'managed')
    state = join(dir, 'state')
    env = { MACHINE_USER: user.name, MACHINE_ROOT: root, DSL_STATE_DIR: state }
  })
  afterAll(() => user.remove())

  it('a --changed apply stores its render; the next --changed compares with it, and skips the plan under --yes', () => {
    apply({}) // generation 1: a full apply renders nothing extra and stores no render
    const first = apply({ MACHINE_VARIANT: 'b' }, '--changed') // generation 2
    expect(first.stdout).toMatch(/--changed: 3 state\(s\) differ/)
    const stored = JSON.parse(readFileSync(lowstate(2), 'utf8')) as { machine: null; chunks: Chunk[] }
    const extra = stored.chunks.find((c) => c.name === join(root, 'extra'))
    expect(extra?.contents).toBe('extra\n')
    // WHEN the stored render says the extra file was applied with other contents
    extra!.contents = 'what generation 2 applied\n'
    writeFileSync(lowstate(2), JSON.stringify(stored))
    // THEN the next --changed takes the stored render as the last generation's: 4 states differ, not 3
    const second = apply({}, '--changed')
    expect(second.stdout).toMatch(/--changed: 4 state\(s\) differ/)
    // AND with --yes as root no test=True run comes first: the apply's own result is the report
    expect(second.stdout).not.toMatch(/^Plan: /m)
    expect(second.stdout).toMatch(/^Applied: /m)
    expect(readFileSync(join(root, 'extra'), 'utf8')).toBe('extra\n')
  })
})
