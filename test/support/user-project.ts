import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { REPO, tempDir } from './cli.ts'

/**
 * A project of a user's own in a fresh directory: it depends on salt-dsl by name (node_modules/salt-dsl links
 * to this checkout) and has an ordinary strict tsconfig (`options` added to it), with `files` written in it.
 */
export function userProject(
  files: Readonly<Record<string, string>>,
  options: Readonly<Record<string, unknown>> = {},
  tsconfig: Readonly<Record<string, unknown>> = {},
): string {
  const dir = tempDir('salt-dsl-user-')
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(REPO, join(dir, 'node_modules', 'salt-dsl'))
  writeFileSync(join(dir, 'package.json'), '{ "name": "my-machines", "type": "module", "private": true }\n')
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    ...options,
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, ...tsconfig }))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}
