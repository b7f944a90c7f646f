// Change approval through the real CLI and the real Salt, as root, into a throw-away directory and store:
// with applyPolicy({ approval: { branch: 'main' } }) an apply refuses a tree built from a dirty work tree
// or from a commit not on main, says why, and records the commit it applied.
import { execFileSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'

const config = (target: string, text: string) => `import { applyPolicy, file, sls, top } from 'salt-dsl'

export const app = sls('app', () => {
  applyPolicy({ approval: { branch: 'main' } })
  file(${JSON.stringify(target)}, { contents: ${JSON.stringify(text)} })
})
top('*', [app])
`

describe('change approval (a temporary repository, as root into a throw-away directory)', () => {
  let repo: string
  let env: Record<string, string>
  let out: string
  let target: string
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', '-C', repo, ...args], {
      encoding: 'utf8',
    }).trim()
  const write = (text: string) => writeFileSync(join(repo, 'index.ts'), config(target, text))
  const apply = () => dsl(['apply', repo, '--out', out, '--no-typecheck', '--yes'], env)

  beforeAll(() => {
    repo = tempDir('salt-dsl-approval-')
    const dir = tempDir('salt-dsl-approval-run-')
    out = join(dir, 'out')
    target = join(dir, 'managed.txt')
    env = { DSL_STATE_DIR: join(dir, 'state') }
    git('init', '-q', '-b', 'main')
    write('one\n')
    git('add', '.')
    git('commit', '-qm', 'one')
  })

  it('applies a clean commit on main and records it; refuses a dirty tree and a commit off main', () => {
    const ok = apply()
    expect(ok.status, ok.stderr + ok.stdout).toBe(0)
    expect(ok.stdout).toContain(`approved: commit ${git('rev-parse', 'HEAD').slice(0, 10)} is on 'main'`)
    const gens = JSON.parse(dsl(['generations', '--format', 'json'], env).stdout) as {
      generations: { revision?: { commit: string; dirty: boolean } }[]
    }
    expect(gens.generations.at(-1)?.revision).toEqual({ commit: git('rev-parse', 'HEAD'), dirty: false })

    // WHEN the work tree has an uncommitted change THEN the apply refuses and says why
    write('two\n')
    const dirty = apply()
    expect(dirty.status).toBe(1)
    expect(dirty.stderr).toContain(
      "refusing to apply: the work tree has uncommitted changes (see git status): commit them and merge into 'main' first",
    )

    // WHEN it is committed on a branch that is not main THEN the apply refuses
    git('checkout', '-qb', 'feature')
    git('commit', '-qam', 'two')
    const off = apply()
    expect(off.status).toBe(1)
    expect(off.stderr).toContain(
      `commit ${git('rev-parse', 'HEAD').slice(0, 10)} is not on the approved branch 'main'`,
    )
    expect(existsSync(target) && execFileSync('cat', [target], { encoding: 'utf8' })).toBe('one\n')

    // WHEN merged into main THEN it applies
    git('checkout', '-q', 'main')
    git('merge', '-q', '--ff-only', 'feature')
    const merged = apply()
    expect(merged.status, merged.stderr).toBe(0)
    expect(execFileSync('cat', [target], { encoding: 'utf8' })).toBe('two\n')
  })
})
