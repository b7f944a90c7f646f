// A first build from nothing, as on a fresh clone: no module cache, no tsc state, no out/, no code cache of
// the CLI. Every module is compiled (and tsc checks everything), so this is the build's memory peak.
import { rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Command } from './measure.ts'

/**
 * `build` run cold: before each run the project's `node_modules/.cache/salt-dsl` (module cache and tsc
 * state) and `out` (with its generations) are removed; the CLI's own code cache, which lives in the checkout and other builds
 * share, is left in place but not read (`DSL_NO_CODE_CACHE`).
 */
export function coldBuild(build: Command, project: string, out: string): Command {
  return {
    ...build,
    env: { ...build.env, DSL_NO_CODE_CACHE: '1' },
    before: () => {
      rmSync(join(project, 'node_modules', '.cache', 'salt-dsl'), { recursive: true, force: true })
      // out/ is a link into `.out.d/`, where the tree's generations live
      rmSync(out, { recursive: true, force: true })
      rmSync(join(dirname(out), `.${basename(out)}.d`), { recursive: true, force: true })
      build.before?.()
    },
  }
}
