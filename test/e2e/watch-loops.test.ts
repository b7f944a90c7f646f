// Watch mode with forEach(), an ID shared by two modules and a chosen function: a replayed module whose
// states moved keeps each joined state under its host, and an edit to what only the loop, the chosen
// function or an ifDefined argument records is rebuilt, as a full build would make it.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'
import { watching as watch } from '../support/watch.ts'

const watching = (dir: string, out: string) => watch(dir, out, { DSL_CHECKER_RETIRE_MS: '0' })

const first = (names: string[]) =>
  `import { pkg, sls } from 'salt-dsl'\nexport const base = sls('base', () => {\n${names.map((n) => `  pkg('${n}')\n`).join('')}})\n`

const app = (
  flag: string,
  source: string,
) => `import { choose, forEach, ifDefined, pillarSchema, pkg, pkgrepo, service, sls, text, z } from 'salt-dsl'
const tools = z.record(z.string(), z.object({ version: z.string().optional() })).optional()
const { pillar } = pillarSchema(z.object({ repo_enabled: z.boolean().optional(), repo_wanted: z.boolean().optional(), tools, packages: tools }))
export const app = sls('app', () => {
  const p = pkg('tomcat')
  service('tomcat', { id: p, watch: [p] })
  pkgrepo('deb http://example.org/repo stable main', { id: 'repo', ensure: choose(pillar.${flag}, 'managed', 'absent') })
  forEach(pillar.${source}, (u, name) => { pkg(text\`tool-\${name}\`, { version: ifDefined(u.version) }) })
})
`
// app.ts does not import first.ts: an edit of first.ts runs it again and replays app.ts's record after it
const index =
  "import { top } from 'salt-dsl'\nimport { base } from './first.ts'\nimport { app } from './app.ts'\ntop('*', [base, app])\n"

describe('dsl build --watch with loops, joined IDs and chosen functions', () => {
  it('rebuilds each edit as a full build makes it', async () => {
    const dir = tempDir()
    const out = join(dir, 'out')
    writeFileSync(join(dir, 'first.ts'), first(['curl']))
    writeFileSync(join(dir, 'index.ts'), index)
    writeFileSync(join(dir, 'app.ts'), app('repo_enabled', 'tools'))
    const { child, output, until } = watching(dir, out)
    const appSls = (root: string) => readFileSync(join(root, 'salt/app.sls'), 'utf8')
    const full = () => {
      const o = join(tempDir(), 'out')
      const run = dsl(['build', dir, '--out', o, '--no-typecheck'])
      expect(run.status, run.stderr).toBe(0)
      return appSls(o)
    }
    const watched = out
    try {
      await until(() => output().stdout.includes('rebuilt in'))
      // WHEN the module imported first gains a state (the replayed app module's keys all move)
      writeFileSync(join(dir, 'first.ts'), first(['curl', 'wget']))
      await until(() => readFileSync(join(watched, 'salt/base.sls'), 'utf8').includes('wget'))
      // THEN service.running stays under the tomcat ID, as a full build writes it
      expect(appSls(watched)).toContain('tomcat:\n  pkg.installed: []\n  service.running:')
      expect(appSls(watched)).toBe(full())
      // WHEN only the chosen function's condition and the loop's source change
      writeFileSync(join(dir, 'app.ts'), app('repo_wanted', 'packages'))
      await until(() => appSls(watched).includes('repo_wanted'))
      // THEN the loop reads the new source too, as a full build writes it
      expect(appSls(watched)).toContain('salt[\'pillar.get\']("packages")')
      expect(appSls(watched)).toBe(full())
      await new Promise((r) => setTimeout(r, 1500))
      expect(output().stderr).not.toContain('differed from a full one')
    } finally {
      child.kill('SIGINT')
    }
  })
})
