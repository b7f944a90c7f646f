// Diagnostics are coloured on a terminal (run here in a pseudo-terminal through script(1)) and plain in a
// pipe or with NO_COLOR; FORCE_COLOR colours a pipe.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { REPO, tempDir } from '../support/cli.ts'

let project: string
const ESC = '\x1b['

beforeAll(() => {
  project = tempDir('salt-dsl-color-')
  mkdirSync(join(project, 'cfg'))
  writeFileSync(
    join(project, 'cfg', 'index.ts'),
    "import { pkg, sls } from 'salt-dsl'\nsls('one', () => {\n  pkg('git')\n})\nsls('two', () => {\n  pkg('git')\n})\n",
  )
})

/** The test's environment without NO_COLOR and FORCE_COLOR (a runner may set them), plus `env`. */
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...rest } = process.env
  return { ...rest, TERM: 'xterm', ...env }
}

/** `dsl check cfg` with a terminal as stdout and stderr. */
function inTerminal(env: Record<string, string> = {}): string {
  const command = `node ${join(REPO, 'bin/dsl.js')} check cfg`
  const run = spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd: project,
    env: environment(env),
    encoding: 'utf8',
  })
  expect(run.status).toBe(1)
  return run.stdout.replaceAll('\r\n', '\n')
}

/** `dsl check cfg [args]` into a pipe. */
function piped(env: Record<string, string>, args: string[] = []) {
  const run = spawnSync(process.execPath, [join(REPO, 'bin/dsl.js'), 'check', 'cfg', ...args], {
    cwd: project,
    env: environment(env),
    encoding: 'utf8',
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('diagnostic colour', () => {
  it('colours the severity, the code, the frame, the caret and the hint on a terminal', () => {
    const out = inTerminal()
    expect(out).toContain(`${ESC}31merror${ESC}39m`) // red
    expect(out).toContain(`${ESC}2mDSL3001${ESC}22m`) // dim code
    expect(out).toContain(`${ESC}36mcfg/index.ts:6:3${ESC}39m`) // the location
    expect(out).toContain(`${ESC}2m  |   ${ESC}22m${ESC}1m${ESC}31m^`) // gutter dim, caret red
    expect(out).toContain(`${ESC}32mhint:${ESC}39m give one of them an explicit \`id\``)
    expect(out).toContain(`${ESC}31m1 error${ESC}39m, 0 warnings`)
  })

  it('is plain with NO_COLOR on a terminal, and in a pipe', () => {
    const out = inTerminal({ NO_COLOR: '1' })
    expect(out).toContain("cfg/index.ts:6:3 - error DSL3001: duplicate state ID 'git'")
    expect(out).not.toContain(ESC)
    const plain = piped({})
    expect(plain.status).toBe(1)
    expect(plain.stderr).toContain("cfg/index.ts:6:3 - error DSL3001: duplicate state ID 'git'")
    expect(plain.stderr).not.toContain(ESC)
  })

  it('colours a pipe with FORCE_COLOR, unless it is 0', () => {
    expect(piped({ FORCE_COLOR: '1' }).stderr).toContain(`${ESC}31merror`)
    expect(piped({ FORCE_COLOR: '1', NO_COLOR: '1' }).stderr).toContain(`${ESC}31merror`)
    expect(piped({ FORCE_COLOR: '0' }).stderr).not.toContain(ESC)
  })

  it('leaves --format json alone', () => {
    const json = piped({ FORCE_COLOR: '1' }, ['--format', 'json'])
    expect(JSON.parse(json.stdout).diagnostics[0].code).toBe('DSL3001')
  })
})
