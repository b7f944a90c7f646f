// `dsl apply --changed` after an edit of a file a state ships (`source:`): the state's arguments are the
// same, its file is not, and it is applied.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'
import { userProject } from '../support/user-project.ts'

const CONFIG = `import { file, sls, top } from 'salt-dsl'

const root = process.env.MACHINE_ROOT ?? '/tmp/salt-dsl-assets'

export const assets = sls('assets', () => {
  const dir = file(root, { ensure: 'directory' })
  file(\`\${root}/shipped\`, { source: 'files/shipped', require: [dir] })
  file(\`\${root}/inline\`, { contents: 'inline\\n', require: [dir] })
})

top('*', [assets])
`

describe('apply --changed and shipped files (as root, a throw-away directory and store)', () => {
  it('applies the state whose shipped file was edited, and only it', () => {
    const project = userProject({ 'index.ts': CONFIG, 'files/shipped': 'first\n' })
    const dir = tempDir('salt-dsl-assets-')
    const env = { MACHINE_ROOT: join(dir, 'managed'), DSL_STATE_DIR: join(dir, 'state') }
    const apply = (...flags: string[]) => {
      const run = dsl(
        ['apply', 'index.ts', '--out', join(dir, 'out'), '--no-typecheck', '--yes', ...flags],
        env,
        project,
      )
      expect(run.status, run.stderr + run.stdout).toBe(0)
      return run
    }
    apply()
    expect(readFileSync(join(dir, 'managed', 'shipped'), 'utf8')).toBe('first\n')
    writeFileSync(join(project, 'files', 'shipped'), 'second\n')
    const changed = apply('--changed')
    expect(changed.stdout).toMatch(
      /--changed: 1 state\(s\) differ from the last generation; with their requisites 2 of 3 run/,
    )
    expect(readFileSync(join(dir, 'managed', 'shipped'), 'utf8')).toBe('second\n')
  }, 120_000)
})
