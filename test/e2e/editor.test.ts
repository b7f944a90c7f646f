import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'

interface Matcher {
  readonly pattern: { readonly regexp: string; readonly [group: string]: unknown }
  readonly background?: { readonly beginsPattern: string; readonly endsPattern: string }
}
interface Task {
  readonly label: string
  readonly command: string
  readonly options: { readonly env: Record<string, string> }
  readonly problemMatcher: Matcher
}

const tasks = (JSON.parse(readFileSync(join(REPO, 'editor/vscode/tasks.json'), 'utf8')) as { tasks: Task[] })
  .tasks
const task = (label: string) => tasks.find((t) => t.label === label) as Task

/** What VS Code's problem matcher reads from the task's output: one problem per matching line. */
function problems(matcher: Matcher, output: string) {
  const re = new RegExp(matcher.pattern.regexp)
  const group = (m: RegExpExecArray, name: string) => m[matcher.pattern[name] as number]
  return output.split('\n').flatMap((line) => {
    const m = re.exec(line)
    if (m === null) return []
    const at = `${group(m, 'file')}:${group(m, 'line')}:${group(m, 'column')}`
    return [`${at} ${group(m, 'severity')} ${group(m, 'code')}`]
  })
}

describe('the VS Code tasks read the CLI’s real output', () => {
  it('dsl check: every diagnostic lands as a problem at its file:line:col, type errors too', () => {
    // GIVEN a config with a requisite cycle and a type error
    const run = dsl(['check', 'test/fixtures/diagnostics/all-stages'], task('dsl check').options.env)
    expect(run.status).toBe(1)
    expect(problems(task('dsl check').problemMatcher, run.stderr)).toEqual([
      'test/fixtures/diagnostics/all-stages/index.ts:6:26 error DSL3002',
      'test/fixtures/diagnostics/all-stages/index.ts:7:9 error TS2322',
    ])
  })

  it('dsl build --watch: a round begins and ends on lines the watch prints, and its problems are read', async () => {
    const watchTask = task('dsl build --watch')
    const background = watchTask.problemMatcher.background
    if (background === undefined) throw new Error('the watch task needs a background matcher')
    const dir = tempDir()
    const config = (body: string) =>
      `import { pkg, sls, top } from 'salt-dsl'\nexport const a = sls('a', () => {\n${body}\n})\ntop('*', [a])\n`
    writeFileSync(join(dir, 'index.ts'), config("  pkg('one')"))
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin/dsl.js'), 'build', dir, '--out', join(dir, 'out'), '--watch'],
      {
        env: { ...process.env, ...watchTask.options.env },
      },
    )
    let output = ''
    child.stdout.on('data', (d) => {
      output += d
    })
    child.stderr.on('data', (d) => {
      output += d
    })
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 1200 && !test(); i++) await new Promise((r) => setTimeout(r, 50))
      expect(test(), output).toBe(true)
    }
    try {
      await until(() => output.includes('rebuilt in'))
      writeFileSync(join(dir, 'index.ts'), config("  pkg('one')\n  pkg('one')"))
      await until(() => output.includes('DSL3001') && output.includes('1 error, 0 warnings'))
    } finally {
      child.kill('SIGINT')
    }
    const lines = output.split('\n')
    const begins = lines.filter((l) => new RegExp(background.beginsPattern).test(l))
    const ends = lines.filter((l) => new RegExp(background.endsPattern).test(l))
    expect(begins.map((l) => l.split(' ')[0])).toEqual(['watching', 'change:'])
    expect(ends).toHaveLength(2) // the first build's "rebuilt in", the failed round's count
    const found = problems(watchTask.problemMatcher, output)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatch(/index\.ts:4:3 error DSL3001$/)
  })
})
