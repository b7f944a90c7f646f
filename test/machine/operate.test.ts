// dsl plan / apply / generations / rollback / drift through the real CLI and the real Salt, as root, into a
// throw-away user, a throw-away directory and a store under a temp dir.
import { execFileSync, spawnSync } from 'node:child_process'
import {
  appendFileSync,
  chmodSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'

// plan and apply build with `--no-typecheck`: the type-check is the build's own, tested with it
const FIXTURE = 'test/machine/fixture'
const SOURCE = readFileSync(join(REPO, FIXTURE, 'index.ts'), 'utf8').split('\n')
const lineOf = (text: string) => SOURCE.findIndex((l) => l.includes(text)) + 1
const at = (text: string) => `${FIXTURE}/index.ts:${lineOf(text)}`

interface PlanJson {
  summary: { create: number; change: number; remove: number; failed: number; blocked: number }
  states: {
    id: string
    function: string
    change: string
    file?: string
    line?: number
    diff?: string
    diffHidden?: boolean
  }[]
}

/** Every entry under `root`: type, mode, owner and bytes (or link target). */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>()
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      const st = lstatSync(path)
      const head = `${st.mode.toString(8)} ${st.uid}:${st.gid}`
      if (st.isDirectory()) {
        out.set(path, `${head} dir`)
        visit(path)
      } else if (st.isSymbolicLink()) out.set(path, `${head} -> ${readlinkSync(path)}`)
      else out.set(path, `${head} ${readFileSync(path).toString('base64')}`)
    }
  }
  visit(root)
  return out
}

/** Runs the CLI on a terminal (util-linux `script` gives it one), typing `input`. */
function onTerminal(args: readonly string[], input: string, env: Record<string, string>) {
  const line = ['node', join(REPO, 'bin/dsl.js'), ...args].map((a) => `'${a}'`).join(' ')
  const run = spawnSync('script', ['-qec', line, '/dev/null'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    input,
    encoding: 'utf8',
  })
  return { status: run.status ?? -1, stdout: run.stdout }
}

describe('operating a machine (as root, a throw-away user and store)', () => {
  let user: ReturnType<typeof throwawayUser>
  let env: Record<string, string>
  let out: string
  let root: string
  const changes = (p: PlanJson) => p.summary.create + p.summary.change + p.summary.remove

  beforeAll(() => {
    user = throwawayUser()
    // the user's own ~/.inputrc: the first apply keeps it as ~/.inputrc.pre-dsl
    writeFileSync(join(user.home, '.inputrc'), '# mine\nset bell-style none\n')
    execFileSync('chown', [`${user.name}:${user.name}`, join(user.home, '.inputrc')])
    const dir = tempDir('salt-dsl-machine-')
    root = join(dir, 'managed')
    out = join(dir, 'out')
    env = { MACHINE_USER: user.name, MACHINE_ROOT: root, DSL_STATE_DIR: join(dir, 'state') }
  })
  afterAll(() => user.remove())

  it('plans, applies, then plans zero changes; never applies unconfirmed', () => {
    // GIVEN a fresh machine, WHEN planned
    const first = dsl(
      ['plan', FIXTURE, '--out', out, '--no-typecheck', '--format', 'json', '--detailed-exitcode'],
      env,
    )
    expect(first.status, first.stderr).toBe(2)
    const plan = JSON.parse(first.stdout) as PlanJson
    const motd = plan.states.find((s) => s.id === `${root}/motd`)
    // THEN each state carries its change and its TypeScript line
    expect(motd).toMatchObject({ change: 'create', file: `${FIXTURE}/index.ts`, line: lineOf('/motd`') })
    expect(plan.states.find((s) => s.id === root)?.change).toBe('create')
    expect(plan.states.find((s) => s.id === `~${user.name}/.inputrc`)).toMatchObject({ change: 'change' })
    expect(changes(plan)).toBeGreaterThanOrEqual(6)

    // AND --machine sets the minion id: the top file's entry for that machine applies too
    expect(plan.states.some((s) => s.id.endsWith('/special'))).toBe(false)
    const special = dsl(
      ['plan', FIXTURE, '--out', out, '--no-typecheck', '--machine', 'salt-dsl-special'],
      env,
    )
    expect(special.stdout).toContain(`+ create file.managed ${root}/special  ${at('/special`')}`)

    // WHEN applied without a terminal and without --yes THEN nothing is applied
    const refused = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck'], env)
    expect(refused.status).toBe(2)
    expect(refused.stderr).toMatch(/refusing to apply without confirmation.*--yes/)
    expect(() => lstatSync(root)).toThrow()

    // WHEN applied with --yes THEN progress comes per state and a generation is recorded
    const applied = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes'], env)
    expect(applied.status, applied.stderr + applied.stdout).toBe(0)
    expect(applied.stdout).toMatch(/^\[\d+\/\d+\] file\.managed .*\/motd … ok [\d.]+ s$/m)
    expect(applied.stdout).toMatch(/Applied: \d+ changed, 0 failed, 0 blocked/)
    expect(applied.stdout).toContain('recorded generation 1')
    expect(readFileSync(join(root, 'motd'), 'utf8')).toBe('managed by salt-dsl (a)\n')
    expect(readFileSync(join(user.home, '.inputrc.pre-dsl'), 'utf8')).toBe('# mine\nset bell-style none\n')

    // AND a second plan has nothing to change (exit 0 with --detailed-exitcode)
    const again = dsl(
      ['plan', FIXTURE, '--out', out, '--no-typecheck', '--format', 'json', '--detailed-exitcode'],
      env,
    )
    expect(again.status, again.stderr).toBe(0)
    expect(changes(JSON.parse(again.stdout) as PlanJson)).toBe(0)
  })

  it('generations A, B (a dotfile changed), rollback to A: the home is byte-identical to after A', () => {
    const afterA = snapshot(user.home)
    const rootA = snapshot(root)
    const b = { ...env, MACHINE_VARIANT: 'b' }
    // the plan of B shows Salt's diff for a file, and hides it for the show_changes: false one
    const planB = dsl(['plan', FIXTURE, '--out', out, '--no-typecheck'], b)
    expect(planB.status, planB.stderr).toBe(0)
    expect(planB.stdout).toContain('-set editing-mode vi')
    expect(planB.stdout).toContain('+set editing-mode emacs')
    expect(planB.stdout).toMatch(
      new RegExp(`~ change file.managed ${root}/token  ${at("state('file.managed'")}\\n.*diff hidden`),
    )
    expect(planB.stdout).not.toContain('token-b')
    const applyB = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes'], b)
    expect(applyB.status, applyB.stderr).toBe(0)
    expect(readFileSync(join(user.home, '.inputrc'), 'utf8')).toBe('set editing-mode emacs\n')
    // the secret's diff is not kept in the store either
    const stored = readFileSync(join(env.DSL_STATE_DIR!, 'generations', '2', 'result.json'), 'utf8')
    expect(stored).not.toContain('token-a')
    expect(stored).toContain('managed by salt-dsl (b)') // a plain file's diff is kept
    // and the store is its owner's only: trees hold pillar data, results hold diffs of users' files
    for (const dir of ['generations', 'objects', 'runs'])
      expect((lstatSync(join(env.DSL_STATE_DIR!, dir)).mode & 0o777).toString(8)).toBe('700')

    const list = JSON.parse(dsl(['generations', '--format', 'json'], env).stdout) as {
      generations: { number: number; kind: string; revision?: { commit: string; dirty: boolean } }[]
    }
    expect(list.generations.map((g) => g.number)).toEqual([1, 2])
    expect(list.generations[1]?.revision?.commit).toMatch(/^[0-9a-f]{40}$/)

    // WHEN a rollback is declined at the terminal's question THEN nothing changes
    const declined = onTerminal(['rollback'], 'n\n', env)
    expect(declined.status).toBe(1)
    expect(declined.stdout).toMatch(/Apply \d+ change\(s\) to this host\? \[y\/N\]/)
    expect(declined.stdout).toContain('nothing applied')
    expect(readFileSync(join(user.home, '.inputrc'), 'utf8')).toBe('set editing-mode emacs\n')
    // WHEN rolled back (default: the generation before the last), confirmed at the terminal
    const back = onTerminal(['rollback'], 'y\n', env)
    expect(back.status, back.stdout).toBe(0)
    expect(back.stdout).toContain('+set editing-mode vi')
    // progress is one line rewritten in place
    const CLEAR = '\u001b[2K'
    const frames = back.stdout
      .split('\r')
      .filter((f) => f.startsWith(CLEAR))
      .map((f) => f.slice(CLEAR.length))
    expect(
      frames.some((f) => /^\[\d+\/\d+\] file\.managed ~\S+\/\.inputrc … \S*ok\S* [\d.]+ s$/.test(f)),
    ).toBe(true)
    expect(back.stdout).toContain('recorded generation 3 (rollback of 1)')
    // THEN the home and the managed dir are as A left them: bytes, modes, owners
    expect(snapshot(user.home)).toEqual(afterA)
    expect(snapshot(root)).toEqual(rootA)
    const text = dsl(['generations'], env).stdout
    expect(text).toMatch(/^3 .* rollback of 1 /m)
  })

  it('drift finds a file edited behind its back, from the stored tree, and --fix restores it', () => {
    rmSync(out, { recursive: true, force: true }) // drift reads the store, not a build
    const clean = dsl(['drift', '--detailed-exitcode'], env)
    expect(clean.status, clean.stderr + clean.stdout).toBe(0)
    expect(clean.stdout).toContain('no drift')
    appendFileSync(join(root, 'motd'), 'edited by hand\n')
    chmodSync(join(root, 'motd'), 0o666)
    const drift = dsl(['drift', '--detailed-exitcode'], env)
    expect(drift.status, drift.stderr).toBe(2)
    expect(drift.stdout).toContain('drift of this host from generation 3')
    expect(drift.stdout).toContain(`~ change file.managed ${root}/motd  ${at('/motd`')}`)
    expect(drift.stdout).toContain('-edited by hand')
    const fix = dsl(['drift', '--fix', '--yes'], env)
    expect(fix.status, fix.stderr).toBe(0)
    expect(fix.stdout).toContain('recorded generation 4 (drift fix of 3)')
    expect(readFileSync(join(root, 'motd'), 'utf8')).toBe('managed by salt-dsl (a)\n')
    expect((lstatSync(join(root, 'motd')).mode & 0o777).toString(8)).toBe('640')
    expect(dsl(['drift', '--detailed-exitcode'], env).status).toBe(0)
  })

  it('a failed state and the state it blocked are diagnostics at their TypeScript lines', () => {
    const failing = { ...env, MACHINE_FAIL: '1' }
    const run = dsl(['apply', FIXTURE, '--out', out, '--no-typecheck', '--yes'], failing)
    expect(run.status).toBe(1)
    const broken = at('const broken = cmd(')
    expect(run.stderr).toMatch(
      new RegExp(`${broken}:\\d+ - error DSL6001: cmd.run .* failed: .*\\(exit 3: failing on purpose\\)`),
    )
    expect(run.stderr).toMatch(
      new RegExp(
        `${at('after-broken')}:\\d+ - error DSL6002: file.managed '${root}/after-broken' did not run`,
      ),
    )
    expect(run.stderr).toMatch(new RegExp(`  ${broken}:\\d+ - 'echo failing on purpose`)) // the cause, related
    expect(run.stdout).toMatch(/Applied: \d+ changed, 1 failed, 1 blocked/)
    const list = JSON.parse(dsl(['generations', '--format', 'json'], env).stdout) as {
      generations: { summary: { failed: number; blocked: number } }[]
    }
    expect(list.generations.at(-1)?.summary).toMatchObject({ failed: 1, blocked: 1 })
  })
})
