// driftTimer() rendered by the real Salt for three kinds of host (systemd, macOS, neither), the units checked
// by systemd-analyze verify and the plist read by a plist parser (Python's plistlib: plutil is macOS's); and
// what the timer runs, `dsl drift --record`, through the real CLI and Salt into a throw-away store.
import { execFileSync, spawnSync } from 'node:child_process'
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { GRAINS, type MinionSpec, SaltOracle } from '../support/salt.ts'

const COMMAND = [process.execPath, join(REPO, 'bin/dsl.js'), 'drift', '--record']

const config = (target: string) => `import { driftTimer, file, sls, top } from 'salt-dsl'

export const app = sls('app', () => {
  file(${JSON.stringify(target)}, { contents: 'as configured\\n' })
})
// not in the top file: rendered by the test for each kind of host, never applied here
export const ops = sls('ops.drift', () => {
  driftTimer({ every: '1h', dir: '/tmp', command: ${JSON.stringify(COMMAND)} })
})
top('*', [app])
`

interface Rendered {
  [id: string]: Record<string, unknown[]> & { __sls__?: string }
}
const arg = (r: Rendered, id: string, key: string): unknown => {
  const fun = Object.entries(r[id] ?? {}).find(([k]) => !k.startsWith('__'))?.[1] as Record<string, unknown>[]
  return fun?.find((a) => typeof a === 'object' && a !== null && key in a)?.[key]
}

describe('driftTimer (rendered by Salt per kind of host) and dsl drift --record', () => {
  let oracle: SaltOracle
  let project: string
  let out: string
  let target: string
  let env: Record<string, string>
  const render = async (grains: Record<string, unknown>) => {
    const spec: MinionSpec = {
      id: 'drift-host',
      fileRoot: join(out, 'salt'),
      pillarRoot: join(out, 'pillar'),
      grains,
    }
    const r = await oracle.call(spec, 'state.show_sls', ['ops.drift'])
    expect(r.retcode, r.stderr).toBe(0)
    return r.data as Rendered
  }

  beforeAll(async () => {
    oracle = await SaltOracle.start()
    project = tempDir('salt-dsl-timer-')
    const run = tempDir('salt-dsl-timer-run-')
    out = join(run, 'out')
    target = join(run, 'managed.txt')
    env = { DSL_STATE_DIR: join(run, 'state') }
    writeFileSync(join(project, 'index.ts'), config(target))
    const built = dsl(['build', project, '--out', out, '--no-typecheck'])
    expect(built.status, built.stderr).toBe(0)
  })
  afterAll(async () => {
    await oracle?.close()
  })

  it('on systemd: a service and a timer that systemd-analyze verify accepts, the timer enabled', async () => {
    const r = await render({ ...GRAINS.debian })
    const units = tempDir('salt-dsl-units-')
    for (const name of ['salt-dsl-drift.service', 'salt-dsl-drift.timer'])
      writeFileSync(join(units, name), String(arg(r, `/etc/systemd/system/${name}`, 'contents')))
    expect(readFileSync(join(units, 'salt-dsl-drift.timer'), 'utf8')).toContain('OnUnitActiveSec=1h\n')
    expect(readFileSync(join(units, 'salt-dsl-drift.service'), 'utf8')).toContain(
      `ExecStart=${COMMAND.join(' ')}\n`,
    )
    const verify = spawnSync(
      'systemd-analyze',
      ['verify', '--man=no', join(units, 'salt-dsl-drift.timer'), join(units, 'salt-dsl-drift.service')],
      { encoding: 'utf8' },
    )
    expect(verify.status, verify.stderr).toBe(0)
    expect(verify.stderr).toBe('') // no unknown key, no missing executable
    expect(arg(r, 'salt-dsl-drift.timer', 'enable')).toBe(true)
    expect(Object.keys(r).some((id) => id.includes('launchctl') || id === 'salt-dsl-drift')).toBe(false)
  })

  it('on macOS: a launchd plist a plist parser reads, loaded with launchctl', async () => {
    const r = await render({ ...GRAINS.macos })
    const plist = String(arg(r, '/Library/LaunchDaemons/org.salt-dsl.drift.plist', 'contents'))
    const file = join(tempDir('salt-dsl-plist-'), 'drift.plist')
    writeFileSync(file, plist)
    const parsed = JSON.parse(
      execFileSync(
        'python3',
        ['-c', 'import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))', file],
        {
          encoding: 'utf8',
        },
      ),
    )
    expect(parsed).toEqual({
      Label: 'org.salt-dsl.drift',
      ProgramArguments: COMMAND,
      WorkingDirectory: '/tmp',
      StartInterval: 3600,
      RunAtLoad: false,
    })
    expect(Object.keys(r)).toContain('launchctl load -w /Library/LaunchDaemons/org.salt-dsl.drift.plist')
  })

  it('elsewhere (no systemd, as on this host): a root cron entry every hour', async () => {
    const r = await render({ ...GRAINS.debian, init: 'unknown' })
    expect(Object.keys(r)).toEqual(['salt-dsl-drift'])
    expect(r['salt-dsl-drift']?.cron).toBeDefined()
    expect(arg(r, 'salt-dsl-drift', 'minute')).toBe('0')
    expect(arg(r, 'salt-dsl-drift', 'hour')).toBe('*')
    expect(arg(r, 'salt-dsl-drift', 'user')).toBe('root')
    expect(String(arg(r, 'salt-dsl-drift', 'name'))).toContain('drift --record')
  })

  it('what the timer runs writes the drift into the store, where the status report reads it', () => {
    mkdirSync(join(target, '..'), { recursive: true })
    const applied = dsl(['apply', project, '--out', out, '--no-typecheck', '--yes'], env)
    expect(applied.status, applied.stderr).toBe(0)
    expect(dsl(['drift', '--record'], env).status).toBe(0)
    const clean = JSON.parse(readFileSync(join(env.DSL_STATE_DIR!, 'drift.json'), 'utf8'))
    expect(clean).toMatchObject({ generation: 1, drift: false, states: [] })
    appendFileSync(target, 'edited by hand\n')
    expect(dsl(['drift', '--record'], env).status).toBe(0)
    const drifted = JSON.parse(readFileSync(join(env.DSL_STATE_DIR!, 'drift.json'), 'utf8'))
    expect(drifted).toMatchObject({ generation: 1, drift: true })
    expect(drifted.states).toEqual([
      expect.objectContaining({ id: target, function: 'file.managed', change: 'change', line: 4 }),
    ])
  })
})
