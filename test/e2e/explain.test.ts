import { describe, expect, it } from 'vitest'
import { dsl } from '../support/cli.ts'

const ENTRY = 'examples/multi-machine'

describe('dsl explain', () => {
  it('prints the merged value and every layer that set it, with file:line', () => {
    const run = dsl(['explain', 'git.email', '--machine', 'mbp-work', ENTRY])
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^git\.email on mbp-work = "ada@work\.example\.com"\n/)
    expect(run.stdout).toMatch(
      /1\. defaults\/common +"ada@example\.org" +examples\/multi-machine\/index\.ts:\d+:\d+/,
    )
    expect(run.stdout).toMatch(/2\. environments\/work +"ada@work\.example\.com"/)
  })

  it('refuses a key no machine has, with the nearest one', () => {
    // GIVEN a misspelled leaf and a misspelled parent
    for (const [key, where, meant] of [
      ['git.emial', "under 'git'", 'git.email'],
      ['gti.email', 'at the top level', 'git.email'],
    ] as const) {
      // WHEN it is explained
      const run = dsl(['explain', key, '--machine', 'mbp-work', ENTRY])
      // THEN it is an error (exit 1), never "(not set)"
      expect(run.status).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr).toContain(`no machine's pillar has the key '${key}' (nothing ${where} matches)`)
      expect(run.stderr).toContain(`did you mean '${meant}'?`)
    }
    const far = dsl(['explain', 'nothing.like.it', '--machine', 'mbp-work', ENTRY])
    expect(far.status).toBe(1)
    expect(far.stderr).toContain('`dsl show pillar` lists the keys')
  })
})
