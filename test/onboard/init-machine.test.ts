// dsl init and dsl machine add/list/remove through the real CLI: a scaffolded project that checks clean, the
// inventory edited in place (the rest of the file byte for byte), the new machine rendered by the real
// Salt, and the interactive path on a pseudo-terminal (util-linux `script`), keys typed as the screen asks.
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'

/** The screen's text without its colours and cursor moves. */
const ESC = String.fromCharCode(27)
const plain = (s: string) => s.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '')

/** Runs the CLI on a terminal; each step waits for its text on the screen, then types its keys. */
function onTerminal(args: readonly string[], cwd: string, steps: readonly [RegExp, string][]) {
  // a terminal of a person's size (a new pty has 0 columns: every character would wrap)
  const line = [
    'stty cols 120 rows 40;',
    ...['node', join(REPO, 'bin/dsl.js'), ...args].map((a) => `'${a}'`),
  ].join(' ')
  const child = spawn('script', ['-qec', line, '/dev/null'], { cwd })
  let screen = ''
  let next = 0
  return new Promise<{ status: number; screen: string }>((done, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString('utf8')
      const step = steps[next]
      if (step?.[0].test(plain(screen))) {
        next++
        child.stdin.write(step[1])
      }
    })
    child.on('error', fail)
    child.on('close', (code) => done({ status: code ?? -1, screen: plain(screen) }))
  })
}

describe('dsl init', () => {
  let project: string
  beforeAll(() => {
    project = join(tempDir('salt-dsl-init-'), 'my-machines')
  })

  it('scaffolds a project that checks clean at once, this machine from Salt', () => {
    const made = dsl(['init', project, '--yes', '--user', 'ada'])
    expect(made.status, made.stderr).toBe(0)
    expect(made.stdout).toContain('ready:')
    // this machine, as Salt's grains tell it (the CI host is Debian)
    expect(made.stdout).toMatch(
      /machine '[^']+': debian, environment personal, profile workstation, users ada/,
    )
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'))
    expect(pkg.dependencies['salt-dsl']).toBe(`file:${REPO}`)
    expect(JSON.parse(readFileSync(join(project, 'tsconfig.json'), 'utf8')).compilerOptions.strict).toBe(true)
    expect(readFileSync(join(project, '.gitignore'), 'utf8')).toContain('node_modules/')
    const check = dsl(['check'], {}, project)
    expect(check.status, check.stderr).toBe(0)
    const list = JSON.parse(dsl(['machine', 'list', '--format', 'json'], {}, project).stdout)
    expect(list.machines).toMatchObject([{ platform: 'debian', profile: 'workstation', users: ['ada'] }])
  })

  it('refuses a directory that is not empty, but takes a fresh git init', () => {
    const dir = tempDir('salt-dsl-init-')
    writeFileSync(join(dir, 'notes.txt'), 'mine\n')
    const refused = dsl(['init', dir, '--yes'])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(/DSL7007: .* is not empty \(notes\.txt\)/)
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n')

    const fresh = tempDir('salt-dsl-init-')
    execFileSync('git', ['init', '-q', fresh])
    const ok = dsl(['init', fresh, '--yes', '--machine', 'box', '--platform', 'fedora', '--skip-install'])
    expect(ok.status, ok.stderr).toBe(0)
    expect(readFileSync(join(fresh, 'config/inventory.ts'), 'utf8')).toContain("platform: 'fedora'")
  })

  it('dsl machine add by flags: the config builds and Salt renders the new machine', () => {
    const before = readFileSync(join(project, 'config/inventory.ts'), 'utf8')
    const add = dsl(
      [
        'machine',
        'add',
        'fedora-box',
        '--platform',
        'fedora',
        '--profile',
        'workstation',
        '--environment',
        'work',
        '--user',
        'ada',
        '--yes',
      ],
      {},
      project,
    )
    expect(add.status, add.stderr).toBe(0)
    expect(add.stdout).toContain("registered machine 'fedora-box': fedora, environment work")
    const after = readFileSync(join(project, 'config/inventory.ts'), 'utf8')
    expect(after).toContain("  'fedora-box': {\n    platform: 'fedora',\n    environment: 'work',")
    expect(after).toContain("layer('machines/fedora-box', {})")
    expect(readFileSync(join(project, 'config/pillar.ts'), 'utf8')).toContain(
      "layer('environments/work', {})",
    )
    const salt = dsl(['check', '--salt'], {}, project)
    expect(salt.status, salt.stderr).toBe(0)
    expect(salt.stdout + salt.stderr).toMatch(/2 machines rendered by Salt as predicted/)
    expect(dsl(['show', 'top', '--machine', 'fedora-box'], {}, project).stdout).toContain('dotfiles')

    // a machine already there is refused, and nothing is written
    const again = dsl(['machine', 'add', 'fedora-box', '--platform', 'fedora', '--yes'], {}, project)
    expect(again.status).toBe(1)
    expect(again.stderr).toContain("DSL7003: machine 'fedora-box' is already in the inventory")

    // removing it gives the file back byte for byte
    const removed = dsl(['machine', 'remove', 'fedora-box', '--yes'], {}, project)
    expect(removed.status, removed.stderr).toBe(0)
    expect(readFileSync(join(project, 'config/inventory.ts'), 'utf8')).toBe(before)
  })

  it('dsl machine add on a terminal: asks, shows the edit, writes on yes', async () => {
    const run = await onTerminal(['machine', 'add'], project, [
      [/Machine name/, 'pty-box\r'],
      [/Profile/, '\r'],
      [/Environment/, '\r'],
      [/Users/, 'grace, ada\r'],
      [/Write these changes\?/, '\r'],
    ])
    expect(run.status, run.screen).toBe(0)
    expect(run.screen).toContain("machine 'pty-box': debian")
    expect(run.screen).toMatch(/\+\s+'?pty-box'?: \{/)
    expect(run.screen).toContain('registered machine')
    const inventory = readFileSync(join(project, 'config/inventory.ts'), 'utf8')
    expect(inventory).toMatch(
      /'pty-box': \{\n {4}platform: 'debian',\n {4}environment: 'personal',\n {4}profile: workstation,\n {4}users: \['grace', 'ada'\],/,
    )
    expect(readFileSync(join(project, 'config/users.ts'), 'utf8')).toContain("['ada', 'grace']")
  })
})

describe('dsl init on a terminal', () => {
  it('asks the machine, profile, environment (a new one) and users, then writes the project', async () => {
    const dir = join(tempDir('salt-dsl-init-'), 'lab')
    mkdirSync(dir)
    const run = await onTerminal(['init', '--skip-install'], dir, [
      [/Machine name/, 'lab-1\r'],
      [/Profile/, 'dev-box\r'],
      // the environments are a list: down past personal, work and minimal to "another…", then a name
      [/Environment/, '\x1b[B\x1b[B\x1b[B\r'],
      [/new name/, 'lab\r'],
      [/Users whose dotfiles/, 'linus\r'],
    ])
    expect(run.status, run.screen).toBe(0)
    expect(run.screen).toContain("machine 'lab-1': debian, environment lab, profile dev-box, users linus")
    const inventory = readFileSync(join(dir, 'config/inventory.ts'), 'utf8')
    expect(inventory).toContain(
      "'lab-1': {\n    platform: 'debian',\n    environment: 'lab',\n    profile: devBox,",
    )
    expect(readFileSync(join(dir, 'config/profiles.ts'), 'utf8')).toContain(
      "export const devBox = profile('dev-box'",
    )
    expect(readFileSync(join(dir, 'config/pillar.ts'), 'utf8')).toContain("layer('environments/lab', {})")
  })
})

describe('dsl machine add on the bundled config', () => {
  it('adds to the machines and to the map keyed by machine, keeps comments; remove restores the file', () => {
    // GIVEN a copy of the bundled config as a project of its own
    const dir = tempDir('salt-dsl-bundled-')
    cpSync(join(REPO, 'config'), join(dir, 'config'), { recursive: true })
    cpSync(join(REPO, 'tsconfig.json'), join(dir, 'tsconfig.json'))
    writeFileSync(join(dir, 'package.json'), '{ "name": "copy", "type": "module" }\n')
    mkdirSync(join(dir, 'node_modules'))
    for (const name of ['@types', 'zod'])
      symlinkSync(join(REPO, 'node_modules', name), join(dir, 'node_modules', name))
    symlinkSync(REPO, join(dir, 'node_modules', 'salt-dsl'))
    const file = join(dir, 'config/inventory.ts')
    const before = readFileSync(file, 'utf8')
    const add = dsl(
      [
        'machine',
        'add',
        'new-box',
        '--platform',
        'ubuntu',
        '--profile',
        'minimal',
        '--environment',
        'minimal',
        '--user',
        'ada',
        '--yes',
      ],
      {},
      dir,
    )
    expect(add.status, add.stderr + add.stdout).toBe(0)
    const after = readFileSync(file, 'utf8')
    expect(after).toContain(
      "  'debian-ci': { platform: 'debian', environment: 'minimal', profile: minimal, users: [CI_USER] },\n  'new-box': { platform: 'ubuntu', environment: 'minimal', profile: minimal, users: ['ada'] },\n",
    )
    expect(after).toContain("  'debian-ci': { packages: { auto_update: false } },\n  'new-box': {},\n")
    expect(after).toContain("// the CI host's family: applied for real by test/config")
    const removed = dsl(['machine', 'remove', 'new-box', '--yes'], {}, dir)
    expect(removed.status, removed.stderr).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(before)
  })
})
