import { spawn } from 'node:child_process'
import { existsSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { userProject } from '../support/user-project.ts'
import { type LoopbackFleet, startFleet, until } from './daemons.ts'

// the master holds a sudo'ed caller to their operator ACL (sudo_acl): this file's Salt runs as plain root
delete process.env.SUDO_USER

// One minion whose highstate manages a.txt from salt://, then waits for the test's go (a flag file; bounded),
// then manages b.txt from salt://, and c.txt from the pillar. The sources are files of the project, which the
// test edits between two publishes.
const CONFIG = `
import { cmd, file, inventory, pillarSchema, profile, sh, sls, z } from 'salt-dsl'

const root = process.env.PIN_ROOT || '/tmp/salt-dsl-pin'
const { pillar, layer } = pillarSchema(z.object({ note: z.string() }))
layer('defaults/common', { note: process.env.PIN_NOTE || 'one' })

export const pinned = sls('pinned', () => {
  const a = file(\`\${root}/a.txt\`, { source: 'files/a.txt', makedirs: true, id: 'file a' })
  // waits (at most 120 s) until the test says go: the test publishes a new tree meanwhile
  const wait = cmd(
    sh\`touch \${root}/waiting; i=0; while [ ! -e \${root}/go ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i+1)); done\`,
    { id: 'wait for go', require: [a] },
  )
  file(\`\${root}/b.txt\`, { source: 'files/b.txt', id: 'file b', require: [wait] })
  file(\`\${root}/c.txt\`, { contents: pillar.note, id: 'file c' })
})

inventory({
  machines: {
    'pin-min': { platform: 'debian', environment: 'personal', profile: profile('pin', { sls: [pinned] }), via: 'master' },
  },
  fleet: { publishRoot: process.env.PIN_PUBLISH || '/srv/salt-dsl' },
})
`

// GIVEN that project, a real salt-master loading its master.d and the minion, on 127.0.0.1
describe('a fleet run reads one published generation from start to end; a plan serves nothing', () => {
  const dir = tempDir()
  const project = userProject({
    'config/index.ts': CONFIG,
    'config/files/a.txt': 'a one\n',
    'config/files/b.txt': 'b one\n',
  })
  const out = join(dir, 'out')
  const root = join(dir, 'root')
  const publish = join(dir, 'publish')
  let fleet: LoopbackFleet
  const env = (extra: Record<string, string> = {}) => ({
    PIN_ROOT: root,
    PIN_PUBLISH: publish,
    DSL_STATE_DIR: join(dir, 'state'),
    DSL_SALT_CONFIG: join(dir, 'conf-master'),
    ...extra,
  })
  const cli = (args: readonly string[], extra: Record<string, string> = {}) =>
    dsl([...args, 'config', '--out', out, '--no-typecheck'], env(extra), project)
  const read = (name: string) => readFileSync(join(root, name), 'utf8')
  const served = () => readlinkSync(join(publish, 'current'))
  const source = (name: string, text: string) => writeFileSync(join(project, 'config/files', name), text)

  beforeAll(async () => {
    const build = cli(['build'])
    expect(build.status, build.stderr).toBe(0)
    fleet = await startFleet({ dir, masterD: join(out, 'master.d') })
    fleet.startMinion('pin-min')
    const pending = await until(
      () =>
        ((fleet.salt('salt-key', ['--list=all']).data as { minions_pre?: string[] }).minions_pre ?? [])
          .length === 1,
    )
    expect(pending).toBe(true)
    const accept = dsl(['fleet', 'accept', 'pin-min', '--out', out], env(), project)
    expect(accept.status, accept.stderr).toBe(0)
    const answers = await until(
      () => JSON.stringify(fleet.salt('salt', ['--timeout=5', 'pin-min', 'test.ping']).data).includes('true'),
      40,
    )
    expect(answers).toBe(true)
  }, 120_000)

  afterAll(() => {
    // a run still waiting for its go ends at once
    if (existsSync(root)) writeFileSync(join(root, 'go'), '')
    fleet?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  it('publishing while a minion applies: that run sees one complete tree', async () => {
    // WHEN dsl apply --all runs, and while its highstate waits between file a and file b, a new tree
    // (both sources changed) is published and served
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin/dsl.js'), 'apply', 'config', '--out', out, '--no-typecheck', '--yes', '--all'],
      { cwd: project, env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString()
    })
    const ended = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)))
    expect(await until(() => existsSync(join(root, 'waiting')), 240), output).toBe(true)
    const first = served()
    source('a.txt', 'a two\n')
    source('b.txt', 'b two\n')
    const next = cli(['publish'])
    expect(next.status, next.stdout + next.stderr).toBe(0)
    expect(served()).not.toBe(first)
    writeFileSync(join(root, 'go'), '')
    const code = await ended
    expect(code, output).toBe(0)

    // THEN the run applied the tree it started with, whole: b came from the same generation as a
    expect(read('a.txt')).toBe('a one\n')
    expect(read('b.txt')).toBe('b one\n')

    // and the next run applies the tree served now, whole
    rmSync(join(root, 'waiting'))
    const again = cli(['apply', '--all', '--yes'])
    expect(again.status, again.stdout + again.stderr).toBe(0)
    expect(read('a.txt')).toBe('a two\n')
    expect(read('b.txt')).toBe('b two\n')
  }, 300_000)

  it('a fleet plan plans the new tree without serving it: a highstate of the minion applies the applied tree', () => {
    const before = served()
    // WHEN a source and a pillar value change, and the fleet plans that tree
    source('a.txt', 'a three\n')
    const plan = cli(['plan', '--all'], { PIN_NOTE: 'two' })
    expect(plan.status, plan.stdout + plan.stderr).toBe(0)
    // THEN the plan is of the new tree (its files and its pillar), published as a generation not served
    const planned = /^planning generation (\d+) of .*, not served: the master serves what it served$/m.exec(
      plan.stdout,
    )?.[1]
    expect(planned, plan.stdout).toBeDefined()
    expect(before).not.toBe(`generations/${planned}`)
    expect(plan.stdout).toMatch(/^ {4}~ change file\.managed file a {2}config\/index\.ts:\d+$/m)
    expect(plan.stdout).toMatch(/^ {4}~ change file\.managed file c {2}config\/index\.ts:\d+$/m)
    // and the master serves what it served before: the minion's own highstate applies the applied tree
    expect(served()).toBe(before)
    const own = fleet.salt('salt', ['pin-min', 'state.apply', '--static'])
    expect(own.status, JSON.stringify(own.data) + own.stderr).toBe(0)
    expect(read('a.txt')).toBe('a two\n')
    expect(read('c.txt').trim()).toBe('one')

    // the states a pinned run applies are the ones Salt's own show_highstate gives the minion
    const applied = cli(['apply', '--all', '--yes', '--format', 'json'], { PIN_NOTE: 'two' })
    expect(applied.status, applied.stdout + applied.stderr).toBe(0)
    const result = JSON.parse(applied.stdout) as {
      generation: number
      machines: { id: string; states: { id: string }[] }[]
    }
    // the apply of the planned tree serves the plan's generation: not copied again
    expect(result.generation).toBe(Number(planned))
    expect(served()).toBe(`generations/${planned}`)
    const states = result.machines[0]!.states.map((s) => s.id)
    const shown = fleet.salt('salt', ['pin-min', 'state.show_highstate', '--static']).data as Record<
      string,
      Record<string, unknown>
    >
    expect(states.sort()).toEqual(Object.keys(shown['pin-min'] ?? {}).sort())
    // and the generation's own env gives the same highstate as `current`: same states from the same SLS, with
    // the same arguments; only the env each state reads its files from differs
    const env = `"${planned}"`
    const pinned = fleet.salt('salt', [
      'pin-min',
      'state.show_highstate',
      `saltenv=${env}`,
      `pillarenv=${env}`,
      '--static',
    ]).data as Record<string, Record<string, Record<string, unknown>>>
    const plain = (shown as Record<string, Record<string, Record<string, unknown>>>)['pin-min'] ?? {}
    const withEnv = (h: Record<string, Record<string, unknown>>, e: string) =>
      Object.fromEntries(Object.entries(h).map(([k, v]) => [k, { ...v, __env__: e }]))
    expect(Object.keys(plain).length).toBe(4)
    expect(Object.values(pinned['pin-min'] ?? {}).every((v) => v.__env__ === planned)).toBe(true)
    expect(withEnv(pinned['pin-min'] ?? {}, 'base')).toEqual(plain)
    expect(read('a.txt')).toBe('a three\n')
    expect(read('c.txt').trim()).toBe('two')
  }, 300_000)

  it('a master whose config does not serve generations by name is told so, before any job', () => {
    const conf = join(dir, 'conf-master/master.d/salt-dsl.conf')
    const text = readFileSync(conf, 'utf8')
    // GIVEN the master.d of a build from before generations were served by name
    writeFileSync(conf, text.replaceAll('__env__', 'none'))
    try {
      const plan = cli(['plan', '--all'])
      // THEN the run stops with how to fix it, and no Salt job ran
      expect(plan.status, plan.stdout + plan.stderr).toBe(2)
      expect(plan.stderr).toContain('does not serve published generations by name')
      expect(plan.stderr).toContain('hint: copy the built master.d/salt-dsl.conf into')
      expect(plan.stdout).not.toMatch(/^job \d+$/m)
    } finally {
      writeFileSync(conf, text)
    }
  }, 120_000)
})
