import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, sep } from 'node:path'
import { error, type StageResult } from '../compiler/diagnostics.ts'
import { PACKAGE_ROOT } from '../compiler/paths.ts'
import { runProcess } from '../compiler/run-process.ts'

/** Whether `dir` may receive a new project: absent, empty, or holding only a `git init` without commits (DSL7007). */
export async function emptyEnough(dir: string): Promise<StageResult<boolean>> {
  if (!existsSync(dir)) return { value: true, diagnostics: [] }
  const entries = readdirSync(dir)
  const others = entries.filter((e) => e !== '.git')
  const refuse = (why: string) => ({
    value: false,
    diagnostics: [
      error('DSL7007', `${dir} ${why}: dsl init writes only into an empty directory`, undefined, {
        hint: 'pick a new directory (`dsl init my-machines`), or run `dsl machine add` in an existing project',
      }),
    ],
  })
  if (others.length > 0)
    return refuse(`is not empty (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''})`)
  if (entries.includes('.git')) {
    const head = await runProcess('git', [
      '-c',
      'safe.directory=*',
      '-C',
      dir,
      'rev-parse',
      '--verify',
      '-q',
      'HEAD',
    ]).catch(() => undefined)
    if (head?.code === 0) return refuse('is a git repository with commits')
  }
  return { value: true, diagnostics: [] }
}

/** Writes the files (never over one that exists). */
export function writeProject(dir: string, files: ReadonlyMap<string, string>): void {
  for (const [path, text] of files) {
    const file = join(dir, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text, { flag: 'wx' })
  }
}

/** How the new project depends on salt-dsl: the installed version's range, or `file:` this checkout. */
export function saltDslSpec(): string {
  if (PACKAGE_ROOT.split(sep).includes('node_modules')) {
    const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string
    }
    return `^${version}`
  }
  return `file:${PACKAGE_ROOT}`
}

/** An npm package name from a directory name. */
export const packageName = (dir: string): string =>
  basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '') || 'my-machines'
