import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

/** One fenced TypeScript block of a document, and where it sits. */
export interface DocBlock {
  readonly doc: string
  readonly line: number
  readonly path: string
  readonly text: string
}

/** Blocks that are built together as one project (`<!-- doc-test: project NAME -->` before each). */
export interface DocProject {
  readonly name: string
  readonly blocks: readonly DocBlock[]
  readonly skip?: string
}

const FENCE = /^```(\w*)\s*$/
const MARK = /^<!--\s*doc-test:\s*(project|skip)\s+(.+?)(?:\s+file\s+(\S+))?\s*-->\s*$/
const PATH_COMMENT = /^\/\/\s*((?:config|lib|src)\/[\w./-]+\.ts)\s*$/

/**
 * Every `ts` block of a Markdown text. A block is `config/index.ts` of a project of its own, unless its first
 * line is a comment naming its path (`// config/states/git.ts`) and a `doc-test: project NAME` mark before it
 * joins it to the other blocks of that name; `doc-test: project NAME file PATH` adds a block of any language
 * (a template, say) to it as that file. `doc-test: skip REASON` leaves one out (the reason is required).
 */
export function docProjects(doc: string, markdown: string): DocProject[] {
  const lines = markdown.split('\n')
  const projects = new Map<string, { blocks: DocBlock[]; skip?: string }>()
  let mark: { kind: string; value: string; file?: string | undefined } | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const marked = MARK.exec(line)
    if (marked) {
      mark = { kind: marked[1] ?? '', value: marked[2] ?? '', file: marked[3] }
      continue
    }
    const fence = FENCE.exec(line)
    if (!fence) {
      if (line.trim() !== '') mark = undefined
      continue
    }
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '')
    const lang = fence[1] ?? ''
    const asFile = mark?.kind === 'project' ? mark.file : undefined
    if (lang !== 'ts' && lang !== 'typescript' && asFile === undefined) {
      mark = undefined
      continue
    }
    const first = PATH_COMMENT.exec(body[0] ?? '')
    const path = asFile ?? first?.[1] ?? 'config/index.ts'
    const block = { doc, line: start + 1, path, text: `${body.join('\n')}\n` }
    const name = mark?.kind === 'project' ? mark.value : `${doc}:${start + 1}`
    const project = projects.get(name) ?? { blocks: [] }
    if (mark?.kind === 'skip') project.skip = mark.value
    project.blocks.push(block)
    projects.set(name, project)
    mark = undefined
  }
  return [...projects].map(([name, p]) => ({ name, blocks: p.blocks, ...(p.skip ? { skip: p.skip } : {}) }))
}

/** README.md and every Markdown file under docs/, relative to the repository. */
export function documents(repo: string): string[] {
  const found = ['README.md']
  const walk = (dir: string) => {
    if (!existsSync(dir)) return
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.md')) found.push(relative(repo, path))
    }
  }
  walk(join(repo, 'docs'))
  return found
}

export const readDoc = (repo: string, doc: string): string => readFileSync(join(repo, doc), 'utf8')
