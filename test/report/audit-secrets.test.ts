// The audit log of real applies of a config with secrets (as root, into a temp directory, each machine
// with its own gpg key): a generation's line names the secrets its machine received, never a value; a
// generation whose run was stopped before writing its line gets one from the next apply.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'

const FIXTURE = 'test/report/secrets-fixture'
const TOKEN = 'audit-api-token-3f9c1e'
const OTHER = 'audit-other-token-77b2aa'

interface Entry {
  action: string
  generation?: number
  machine?: string
  changed?: string[]
  secrets?: string[]
  secretNames?: string[]
  backfilled?: boolean
}

describe('the audit log: secret names of the applied generation, and a missing line written later', () => {
  let dir: string
  let env: Record<string, string>
  let keyBox: string
  let keyOther: string
  const run = (args: string[], extra: Record<string, string> = {}) => dsl(args, { ...env, ...extra })
  const apply = (variant: string) =>
    run(['apply', FIXTURE, '--out', join(dir, 'out'), '--machine', 'audit-box', '--yes', '--no-typecheck'], {
      DSL_GPG_KEYDIR: keyBox,
      AUDIT_VARIANT: variant,
    })
  const audit = () => {
    const shown = run(['audit', '--format', 'json'])
    return {
      status: shown.status,
      ...(JSON.parse(shown.stdout) as { entries: Entry[]; problems: unknown[]; missing: number[] }),
    }
  }

  beforeAll(() => {
    dir = tempDir('salt-dsl-audit-secrets-')
    keyBox = join(dir, 'keydir-box')
    keyOther = join(dir, 'keydir-other')
    env = {
      DSL_SECRETS_GNUPGHOME: join(dir, 'operator'),
      GNUPGHOME: join(dir, 'operator'),
      DSL_SECRETS_DIR: join(dir, 'public-keys'),
      DSL_STATE_DIR: join(dir, 'state'),
      AUDIT_ROOT: join(dir, 'managed'),
      AUDIT_API_TOKEN: TOKEN,
      AUDIT_OTHER_TOKEN: OTHER,
    }
    const init = run(['secrets', 'init'])
    expect(init.status, init.stderr).toBe(0)
    for (const [id, keydir] of [
      ['audit-box', keyBox],
      ['audit-other', keyOther],
    ] as const) {
      const made = run(['secrets', 'machine-key', id], { DSL_GPG_KEYDIR: keydir })
      expect(made.status, made.stderr).toBe(0)
    }
  }, 300_000)
  afterAll(() => {
    for (const home of [env?.GNUPGHOME, keyBox, keyOther])
      if (home) spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'])
  })

  it("names the machine's secrets (not another machine's, never a value)", () => {
    const applied = apply('a')
    expect(applied.status, applied.stderr + applied.stdout).toBe(0)
    expect(readFileSync(join(dir, 'managed/api-token'), 'utf8').trim()).toBe(TOKEN)
    const log = audit()
    expect(log.status).toBe(0)
    expect(log.entries.map((e) => [e.action, e.generation, e.machine])).toEqual([['apply', 1, 'audit-box']])
    expect(log.entries[0]?.secretNames).toEqual(['AUDIT_API_TOKEN'])
    expect(run(['audit']).stdout).toContain('secrets: AUDIT_API_TOKEN')
    const raw = readFileSync(join(dir, 'state/audit.log'), 'utf8')
    expect(raw).not.toContain(TOKEN)
    expect(raw).not.toContain(OTHER)
    expect(raw).not.toContain('AUDIT_OTHER_TOKEN')
  })

  it('a generation recorded without its line (the run stopped in between) gets it from the next apply', () => {
    // GIVEN generation 2 recorded, and its line gone as if the apply had been killed before writing it
    const second = apply('b')
    expect(second.status, second.stderr + second.stdout).toBe(0)
    const file = join(dir, 'state/audit.log')
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    expect(lines).toHaveLength(2)
    writeFileSync(file, `${lines[0]}\n`)
    // THEN dsl audit says so (the chain itself is intact)
    const before = audit()
    expect(before.status).toBe(0)
    expect(before.missing).toEqual([2])
    expect(run(['audit']).stdout).toContain('generation 2 has no audit line yet')
    // WHEN the next apply runs THEN it writes generation 2's line first, marked, then its own
    const third = apply('c')
    expect(third.status, third.stderr + third.stdout).toBe(0)
    const after = audit()
    expect(after.status).toBe(0)
    expect(after.problems).toEqual([])
    expect(after.missing).toEqual([])
    expect(after.entries.map((e) => [e.generation, e.backfilled ?? false])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ])
    const backfilled = after.entries[1]!
    expect(backfilled.changed).toContain(join(dir, 'managed/variant'))
    expect(backfilled.secretNames).toEqual(['AUDIT_API_TOKEN'])
    expect(run(['audit']).stdout).toContain('written later')
  })
})
