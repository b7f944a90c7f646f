// `dsl import dotfiles`: a dotfiles directory into dotfile() calls, each file shipped as it is. Layouts:
// plain (the directory mirrors the home), GNU stow (each top-level directory is a package mirroring the
// home) and chezmoi (`dot_`, `private_`, `executable_`, `readonly_` name prefixes). What a layout templates
// in its own language (chezmoi's `.tmpl`, yadm's `##` alternates) is left out and reported.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { IndentationText, Project, QuoteKind } from 'ts-morph'
import type { Diagnostic, StageResult } from '../compiler/diagnostics.ts'
import { warning } from '../compiler/diagnostics.ts'

export type DotfilesLayout = 'plain' | 'stow' | 'chezmoi'

/** One file of the home: its path in the home, where it is in the directory, and its mode if it has one. */
interface HomeFile {
  readonly home: string
  readonly from: string
  readonly mode?: string
}

const SKIPPED =
  /^(\.git|\.github|README.*|LICEN[CS]E.*|\.stow-local-ignore|\.chezmoi.*|install.*\.sh|Makefile)$/i

function walk(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !SKIPPED.test(n))
    .sort()
    .flatMap((n) => {
      const path = join(dir, n)
      return statSync(path).isDirectory() ? walk(path) : [path]
    })
}

/** The layout of `dir`: chezmoi when names carry its prefixes, stow when the top holds only plain directories. */
export function detectLayout(dir: string): DotfilesLayout {
  const top = readdirSync(dir).filter((n) => !SKIPPED.test(n))
  if (existsSync(join(dir, '.chezmoiroot')) || top.some((n) => /^(dot_|private_|executable_)/.test(n)))
    return 'chezmoi'
  if (top.length > 0 && top.every((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory()))
    return 'stow'
  return 'plain'
}

/** chezmoi's source name of one path segment → the name in the home, and the mode its attributes give. */
function chezmoiName(segment: string): { name: string; mode?: string } {
  let name = segment
  let mode: string | undefined
  for (;;) {
    const m = /^(private_|executable_|readonly_|dot_)/.exec(name)
    if (m === null) break
    name = name.slice(m[0].length)
    if (m[0] === 'private_') mode = '0600'
    if (m[0] === 'executable_') mode = '0755'
    if (m[0] === 'dot_') name = `.${name}`
  }
  return mode === undefined ? { name } : { name, mode }
}

export function importDotfiles(
  dir: string,
  to: string,
  user: string,
): StageResult<{ entry: string; layout: DotfilesLayout; files: number }> {
  const diagnostics: Diagnostic[] = []
  const layout = detectLayout(dir)
  const files: HomeFile[] = []
  for (const from of walk(dir)) {
    const rel = relative(dir, from)
    const origin = { file: from, line: 1, column: 1 }
    if (rel.includes('##') || (layout === 'chezmoi' && rel.endsWith('.tmpl'))) {
      diagnostics.push(
        warning('DSL8030', `'${rel}' is a template or alternate of its layout; not imported`, origin, {
          hint: 'write it as a dotfile() with byPlatform() or a Jinja template',
        }),
      )
      continue
    }
    if (layout === 'stow') files.push({ home: rel.split('/').slice(1).join('/'), from })
    else if (layout === 'chezmoi') {
      const parts = rel.split('/').map(chezmoiName)
      const mode = parts.at(-1)?.mode
      files.push({ home: parts.map((p) => p.name).join('/'), from, ...(mode === undefined ? {} : { mode }) })
    } else files.push({ home: rel, from })
  }
  for (const f of files) {
    const target = join(to, 'dotfiles', f.home)
    mkdirSync(dirname(target), { recursive: true })
    copyFileSync(f.from, target)
  }
  const entry = join(to, 'index.ts')
  writeFileSync(entry, dotfilesSource(files, layout, user))
  return { value: { entry, layout, files: files.length }, diagnostics }
}

function dotfilesSource(files: readonly HomeFile[], layout: DotfilesLayout, user: string): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
  })
  const file = project.createSourceFile('index.ts', '')
  file.addStatements(
    `// Imported by \`dsl import dotfiles\` from a ${layout} dotfiles directory: each file shipped as it is.`,
  )
  file.addImportDeclaration({ moduleSpecifier: 'salt-dsl', namedImports: ['dotfile', 'sls', 'top'] })
  file.addStatements(`const owner = ${JSON.stringify(user)}`)
  const calls = files.map((f) => {
    const mode = f.mode === undefined ? '' : `, mode: '${f.mode}'`
    return `  dotfile(${JSON.stringify(f.home)}, { user: owner, source: ${JSON.stringify(`dotfiles/${f.home}`)}${mode} })`
  })
  file.addStatements(`export const dotfiles = sls('dotfiles', () => {\n${calls.join('\n')}\n})`)
  file.addStatements(`top('*', [dotfiles])`)
  return file.getFullText()
}
