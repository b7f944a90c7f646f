// dsl --help is made from the registry: every registered command under its group's heading, in the
// registry's order; dsl help COMMAND and COMMAND --help print the usage forms and options.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO } from '../support/cli.ts'

/** The registrations of compiler/cli/main.ts: name and group, in order. */
function registry(): { name: string; group: string }[] {
  const source = readFileSync(join(REPO, 'compiler/cli/main.ts'), 'utf8')
  return [...source.matchAll(/^ {2}(\w+): \{ group: '(\w+)'/gm)].map((m) => ({ name: m[1]!, group: m[2]! }))
}

const TITLES: Record<string, string> = {
  write: 'Write',
  operate: 'Operate',
  machines: 'Machines',
  secrets: 'Secrets',
  fleet: 'Fleet',
  reports: 'Reports',
  shell: 'Shell',
  other: 'Other',
}

describe('dsl --help', () => {
  it('lists every registered command under its group', () => {
    const run = dsl(['--help'])
    expect(run.status).toBe(0)
    // the sections: a title line, then two-space indented command lines (wrapped lines deeper)
    const sections = new Map<string, string[]>()
    let current: string[] | undefined
    for (const line of run.stdout.split('\n')) {
      if (Object.values(TITLES).includes(line)) {
        current = []
        sections.set(line, current)
      } else if (line === '') current = undefined
      else if (current && /^ {2}\S/.test(line)) current.push(line.trim().split(/\s+/)[0]!)
    }
    const commands = registry()
    expect(commands.length).toBeGreaterThanOrEqual(14)
    for (const { name, group } of commands) expect(sections.get(TITLES[group]!), name).toContain(name)
    expect(sections.get('Write')).toEqual(['build', 'check', 'show', 'explain'])
    expect(sections.get('Operate')).toEqual(['plan', 'apply', 'drift', 'generations', 'rollback', 'diff'])
    expect(run.stdout).toMatch(/^ {2}build +Compile a config into a complete Salt tree/m)
    // a summary is cut at its first full stop, not at the one of a file name
    expect(run.stdout).toMatch(/^ {2}init +Start a project in an empty directory: package\.json, a strict/m)
  })

  it('is what dsl alone prints, with exit code 2', () => {
    const bare = dsl([])
    expect(bare.status).toBe(2)
    expect(bare.stdout).toBe(dsl(['-h']).stdout)
    expect(dsl(['help']).stdout).toBe(bare.stdout)
  })
})

describe('dsl help COMMAND', () => {
  it('prints the summary, each usage form and the options, as COMMAND --help does', () => {
    const help = dsl(['help', 'show'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain(
      'usage: dsl show SLS [ENTRY]\n       dsl show pillar|top|grains --machine ID',
    )
    expect(help.stdout).toContain('options:\n  --machine ID\n  --format json\n  --help')
    expect(dsl(['show', '--help']).stdout).toBe(help.stdout)
    expect(dsl(['diff', '-h']).stdout).toContain('  --format text|markdown|json\n')
  })

  it('says did you mean for a misspelled command', () => {
    const run = dsl(['biuld'])
    expect(run.status).toBe(2)
    expect(run.stderr).toBe("dsl: unknown command 'biuld'\n  hint: did you mean 'build'?\n")
    expect(dsl(['help', 'rollbak']).stderr).toContain("did you mean 'rollback'?")
    expect(dsl(['zzzzzz']).stderr).toContain('dsl --help lists the commands')
  })

  it('says did you mean for a misspelled option', () => {
    const run = dsl(['explain', 'git.email', '--mashine', 'mbp-work'])
    expect(run.status).toBe(2)
    expect(run.stderr).toBe("dsl explain: unknown option '--mashine'\n  hint: did you mean '--machine'?\n")
    expect(dsl(['build', '--zzz']).stderr).toContain('hint: --help lists the options')
  })
})
