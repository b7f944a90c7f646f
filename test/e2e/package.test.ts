import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, readTree } from '../support/cli.ts'
import { userProject } from '../support/user-project.ts'

/** A project of its own that depends on salt-dsl by name, with an ordinary tsconfig. */
const project = (config: string): string => userProject({ 'config/index.ts': config })

const GOOD = `import { pillarSchema, pkg, sls, top, z } from 'salt-dsl'
const { pillar, layer } = pillarSchema(z.object({ editor: z.string() }))
layer('defaults/common', { editor: 'vim' })
export const base = sls('base', () => { pkg(pillar.editor, { id: 'editor' }) })
top('*', [base])
`

describe('salt-dsl as a dependency of another project', () => {
  it('checks and builds with the project’s own plain tsconfig (the package ships declarations)', () => {
    const dir = project(GOOD)
    const check = dsl(['check'], {}, dir)
    expect(check.status, check.stderr).toBe(0)
    const build = dsl(['build'], {}, dir)
    expect(build.status, build.stderr).toBe(0)
    expect(readTree(join(dir, 'out')).get('salt/base.sls')?.toString()).toContain(
      'salt[\'pillar.get\']("editor")',
    )
  })

  it('reports type errors in the project’s config through the published types', () => {
    const dir = project(GOOD.replace("{ id: 'editor' }", "{ id: 'editor', ensure: 'instaled' }"))
    const check = dsl(['check', '--format', 'json'], {}, dir)
    expect(check.status).toBe(1)
    const found = JSON.parse(check.stdout).diagnostics.map(
      (d: { code: string; file: string }) => `${d.code} ${d.file}`,
    )
    // the type error, and the compiler's own word on it (with its hint) from the stages that still ran
    expect(found).toEqual(['DSL3004 config/index.ts', 'TS2769 config/index.ts'])
  })
})
