import { describe, expect, it } from 'vitest'
import { dsl, REPO } from '../support/cli.ts'
import { documents, readDoc } from './doc-blocks.ts'

/** A `dsl` command line of a document's code block, and where it is. */
interface CommandLine {
  readonly at: string
  readonly words: readonly string[]
}

const FENCE = /^```(\w*)\s*$/
// how a document runs the CLI: `dsl`, `npx dsl`, `node bin/dsl.js` (after a `&&`, too)
const INVOCATION = /(?:^|&&\s*|\|\s*)(?:npx\s+dsl|node\s+bin\/dsl\.js|dsl)\s+([^#|&]*)/g

/** Every `dsl …` line of the shell and plain blocks of the README and docs/. */
function commandLines(): CommandLine[] {
  const found: CommandLine[] = []
  for (const doc of documents(REPO)) {
    const lines = readDoc(REPO, doc).split('\n')
    for (let i = 0; i < lines.length; i++) {
      const fence = FENCE.exec(lines[i] ?? '')
      if (!fence) continue
      const lang = fence[1] ?? ''
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) {
        if (!['', 'sh', 'bash', 'shell', 'console'].includes(lang)) continue
        const line = (lines[i] ?? '').replace(/^\$\s+/, '')
        for (const m of line.matchAll(INVOCATION)) {
          const words = (m[1] ?? '').trim().split(/\s+/).filter(Boolean)
          if (words.length > 0) found.push({ at: `${doc}:${i + 1}`, words })
        }
      }
    }
  }
  return found
}

/** The commands `dsl --help` lists. */
function knownCommands(): Set<string> {
  const help = dsl(['--help'])
  const names = [...`${help.stdout}${help.stderr}`.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1] ?? '')
  return new Set(names)
}

const lines = commandLines()

describe('every dsl command line of the README and docs is one the CLI knows', () => {
  it('finds the command lines (the extractor cannot silently find none)', () => {
    expect(lines.length).toBeGreaterThan(20)
  })

  it('names known commands, with flags their --help lists', () => {
    const commands = knownCommands()
    expect(commands.has('build')).toBe(true)
    const helps = new Map<string, string>()
    const problems: string[] = []
    for (const { at, words } of lines) {
      const command = words[0] ?? ''
      if (command.startsWith('--')) {
        // `dsl --help`, `dsl --version`: the top level's own flags
        const top = dsl([command])
        if (top.status !== 0) problems.push(`${at}: dsl ${command} exits ${top.status}`)
        continue
      }
      if (!commands.has(command)) {
        problems.push(`${at}: '${command}' is not a dsl command`)
        continue
      }
      if (!helps.has(command)) {
        const help = dsl([command, '--help'])
        helps.set(command, `${help.stdout}${help.stderr}`)
      }
      const help = helps.get(command) ?? ''
      for (const word of words.slice(1)) {
        const flag = /^\[?(--[a-z][a-z-]*)/.exec(word)?.[1]
        if (flag && flag !== '--help' && !help.includes(flag))
          problems.push(`${at}: dsl ${command} has no ${flag}`)
      }
    }
    expect(problems).toEqual([])
  })
})

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-')

describe('the README’s links into docs/', () => {
  it('each names a page that exists, and a heading of it', () => {
    const readme = readDoc(REPO, 'README.md')
    const links = [...readme.matchAll(/\]\((docs\/[^)#\s]+)(?:#([^)\s]+))?\)/g)]
    expect(links.length).toBeGreaterThan(10)
    const problems: string[] = []
    for (const [, path = '', anchor] of links) {
      let page: string
      try {
        page = readDoc(REPO, path)
      } catch {
        problems.push(`${path}: no such page`)
        continue
      }
      const headings = [...page.matchAll(/^#+\s+(.+)$/gm)].map((m) => slug(m[1] ?? ''))
      if (anchor && !headings.includes(anchor)) problems.push(`${path}#${anchor}: no such heading`)
    }
    expect(problems).toEqual([])
  })
})
