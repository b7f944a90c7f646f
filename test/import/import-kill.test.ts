// `dsl import salt` writes its config beside --to and moves it into place whole: killed (SIGKILL, its whole
// process group, Salt's children too) at any point it leaves --to absent, and the next import there cleans
// what the killed one left and succeeds; two imports into one place at once leave one complete config.
import { spawn } from 'node:child_process'
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { GRAINS } from '../support/salt.ts'

const FORMULA = join(REPO, 'test/fixtures/import/users-formula')
const MACHINES = [
  '--machine',
  `deb=${JSON.stringify(GRAINS.debian)}`,
  '--machine',
  `fed=${JSON.stringify(GRAINS.fedora)}`,
]

/** The users formula as a Salt tree and a pillar tree with top files. */
function tree(): { salt: string; pillar: string; parent: string } {
  const dir = tempDir()
  const salt = join(dir, 'salt')
  const pillar = join(dir, 'pillar')
  cpSync(join(FORMULA, 'users'), join(salt, 'users'), { recursive: true })
  mkdirSync(pillar)
  writeFileSync(join(salt, 'top.sls'), "base:\n  '*':\n    - users\n")
  writeFileSync(join(pillar, 'top.sls'), "base:\n  '*':\n    - users\n")
  writeFileSync(join(pillar, 'users.sls'), readFileSync(join(FORMULA, 'pillar.example')))
  const parent = join(dir, 'work')
  mkdirSync(parent)
  return { salt, pillar, parent }
}

/**
 * Starts the import; kills its process group after `ms` when given, or once it has shipped the Salt tree and
 * not yet written the TypeScript (`'writing'`: the import holds there, DSL_IMPORT_HOLD_MS). Resolves with
 * its exit code or signal and its output.
 */
function importRun(
  salt: string,
  pillar: string,
  to: string,
  ms?: number | 'writing',
): Promise<{ end: string; out: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin/dsl.js'), 'import', 'salt', salt, '--pillar', pillar, '--to', to, ...MACHINES],
      {
        cwd: REPO,
        env: { ...process.env, ...(ms === 'writing' ? { DSL_IMPORT_HOLD_MS: '60000' } : {}) },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    const kill = () => process.kill(-(child.pid as number), 'SIGKILL')
    child.stdout.on('data', (d) => {
      out += d
    })
    child.stderr.on('data', (d) => {
      out += d
      if (ms === 'writing' && out.includes('import: holding')) kill()
    })
    const timer = typeof ms === 'number' ? setTimeout(kill, ms) : undefined
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      done({ end: signal ?? `exit ${code}`, out })
    })
  })
}

/** Whether `to` holds a whole import: the config, the report, the shipped tree. */
const whole = (to: string) =>
  existsSync(join(to, 'index.ts')) &&
  readFileSync(join(to, 'IMPORT-REPORT.md'), 'utf8').includes('| SLS users | translated |') &&
  readFileSync(join(to, 'states', 'users.ts'), 'utf8').includes("sls('users', () => {")

describe('dsl import salt survives SIGKILL and a second import at once', () => {
  it('killed at any point leaves --to absent; the next import cleans up and writes it whole', async () => {
    const { salt, pillar, parent } = tree()
    const to = join(parent, 'config')
    const ends: string[] = []
    for (const ms of ['writing', 150, 600, 1200, 1800, 2500, 3200] as const) {
      const run = await importRun(salt, pillar, to, ms)
      ends.push(run.end)
      // THEN nothing half-written where the config goes: absent, or (when the kill came after the move) whole
      if (existsSync(to)) expect(whole(to), `killed at ${ms} ms: ${run.end}`).toBe(true)
      if (existsSync(to)) break
    }
    // the first kill hit the import while it wrote, the others at times through it
    expect(ends[0]).toBe('SIGKILL')
    // WHEN imported again (into a fresh place if a kill came too late)
    const again = existsSync(to) ? join(parent, 'config2') : to
    const run = await importRun(salt, pillar, again)
    expect(run.end, run.out).toBe('exit 0')
    expect(whole(again)).toBe(true)
    // the killed imports' scratch directories are gone
    expect(readdirSync(parent).filter((n) => n.includes('.importing-'))).toEqual([])
    const built = dsl(['build', again, '--out', join(parent, 'out')])
    expect(built.status, built.stdout + built.stderr).toBe(0)
  })

  it('two imports into one place at once: one writes it whole, the other is refused', async () => {
    const { salt, pillar, parent } = tree()
    const to = join(parent, 'config')
    const runs = await Promise.all([importRun(salt, pillar, to), importRun(salt, pillar, to)])
    const ok = runs.filter((r) => r.end === 'exit 0')
    expect(ok, JSON.stringify(runs)).toHaveLength(1)
    const refused = runs.find((r) => r.end !== 'exit 0')
    expect(refused?.out).toMatch(/was written by something else while importing|is not empty/)
    expect(whole(to)).toBe(true)
    expect(readdirSync(parent).filter((n) => n.includes('.importing-'))).toEqual([])
  })

  it('refuses a --to that is a file, not empty or a link to nothing, and writes through a link to an empty directory', async () => {
    const { salt, pillar, parent } = tree()
    const file = join(parent, 'file')
    writeFileSync(file, 'mine\n')
    const full = join(parent, 'full')
    mkdirSync(full)
    writeFileSync(join(full, 'notes.txt'), 'mine\n')
    const dangling = join(parent, 'dangling')
    symlinkSync(join(parent, 'nothing'), dangling)
    for (const [to, message] of [
      [file, 'is not a directory'],
      [full, 'is not empty'],
      [dangling, 'is a link to nothing'],
    ] as const) {
      const run = dsl(['import', 'salt', salt, '--pillar', pillar, '--to', to, ...MACHINES])
      expect(run.status, run.stderr).toBe(2)
      expect(run.stderr).toContain(message)
    }
    // what was there is untouched
    expect(readFileSync(file, 'utf8')).toBe('mine\n')
    expect(readdirSync(full)).toEqual(['notes.txt'])
    const empty = join(parent, 'empty')
    mkdirSync(empty)
    const link = join(parent, 'link')
    symlinkSync(empty, link)
    const run = await importRun(salt, pillar, link)
    expect(run.end, run.out).toBe('exit 0')
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(whole(empty)).toBe(true)
  })
})
