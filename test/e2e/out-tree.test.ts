// What `dsl build` does to the user's disk: out/ is a link to a complete generation, switched in one
// step; it never replaces what it did not write, never follows a link out of the tree, takes a lock,
// writes fixed modes, and leaves nothing behind when it is stopped.
import { type ChildProcess, spawn } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, readTree, tempDir } from '../support/cli.ts'

/** A config that ships two files from its tree (`files/motd`, and `files/key`, owner-only). */
function project(): { dir: string; config: string; out: string; sentinel: string } {
  const dir = tempDir('salt-dsl-out-')
  const config = join(dir, 'config')
  mkdirSync(join(config, 'files'), { recursive: true })
  writeFileSync(join(config, 'files', 'motd'), 'hello\n')
  writeFileSync(join(config, 'files', 'key'), 'secret\n', { mode: 0o600 })
  chmodSync(join(config, 'files', 'key'), 0o600)
  writeConfig(config, ['motd', 'key'])
  // a directory no build may touch
  const sentinel = join(dir, 'sentinel')
  mkdirSync(sentinel)
  writeFileSync(join(sentinel, 'motd'), 'not yours\n')
  return { dir, config, out: join(dir, 'out'), sentinel }
}

function writeConfig(config: string, assets: readonly string[], text = 'one'): void {
  const files = assets.map((a) => `  file('/tmp/dsl-${a}', { source: 'files/${a}' })\n`).join('')
  writeFileSync(
    join(config, 'index.ts'),
    `import { file, sls, top } from 'salt-dsl'\nexport const a = sls('a', () => {\n  file('/tmp/dsl-text', { contents: '${text}' })\n${files}})\ntop('*', [a])\n`,
  )
}

const build = (config: string, out: string, env: Record<string, string> = {}) =>
  dsl(['build', config, '--out', out, '--no-typecheck'], env)

/** What `.out.d/` holds besides the generations (staging, links, locks) — nothing once a build is done. */
const leftovers = (out: string) =>
  readdirSync(join(out, '..', `.${out.split('/').pop()}.d`)).filter((n) => !/^gen-\d+$|^\.gitignore$/.test(n))

const generationsOf = (out: string) =>
  readdirSync(join(out, '..', `.${out.split('/').pop()}.d`)).filter((n) => /^gen-\d+$/.test(n))

/** Spawns the CLI, collecting its output; `saw(text)` waits until stderr or stdout holds `text`. */
function start(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(REPO, 'bin/dsl.js'), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
  })
  let output = ''
  child.stdout.on('data', (d) => {
    output += d
  })
  child.stderr.on('data', (d) => {
    output += d
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  )
  const saw = async (text: string | (() => boolean), ms = 20_000) => {
    const test = typeof text === 'string' ? () => output.includes(text) : text
    for (let i = 0; i < ms / 20 && !test(); i++) await new Promise((r) => setTimeout(r, 20))
    expect(test(), output).toBe(true)
  }
  return { child, exited, saw, output: () => output }
}

const stop = (child: ChildProcess) => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

describe('out/ is a link to a complete generation', () => {
  it('is switched whole on each build, keeps the generation before, and removes older ones', () => {
    const { config, out } = project()
    for (const text of ['one', 'two', 'three']) {
      writeConfig(config, ['motd'], text)
      const run = build(config, out)
      expect(run.status, run.stderr).toBe(0)
    }
    expect(lstatSync(out).isSymbolicLink()).toBe(true)
    expect(readlinkSync(out)).toBe('.out.d/gen-3')
    expect(generationsOf(out).sort()).toEqual(['gen-2', 'gen-3'])
    expect(leftovers(out)).toEqual([])
    expect(readTree(out).get('salt/a.sls')?.toString()).toContain('three')
    expect(
      readTree(join(out, '..', '.out.d', 'gen-2'))
        .get('salt/a.sls')
        ?.toString(),
    ).toContain('two')
    // git is told to ignore the generations
    expect(readFileSync(join(out, '..', '.out.d', '.gitignore'), 'utf8')).toBe('*\n')
  })

  it('moves a plain out/ an older salt-dsl wrote into the generations, the first time', () => {
    const { config, out } = project()
    const copy = join(tempDir(), 'out')
    expect(build(config, copy).status).toBe(0)
    // an older build's tree: a plain directory, its manifest naming every file
    const old = readTree(copy)
    for (const [path, data] of old) {
      mkdirSync(join(out, path, '..'), { recursive: true })
      writeFileSync(join(out, path), data)
    }
    writeConfig(config, ['motd', 'key'], 'two')
    const run = build(config, out)
    expect(run.status, run.stderr).toBe(0)
    expect(lstatSync(out).isSymbolicLink()).toBe(true)
    expect(readTree(out).get('salt/a.sls')?.toString()).toContain('two')
    // the old tree is the generation before, whole
    expect(generationsOf(out).sort()).toEqual(['gen-1', 'gen-2'])
    expect(readTree(join(out, '..', '.out.d', 'gen-1'))).toEqual(old)
  })
})

describe('dsl build never replaces what it did not write', () => {
  it('refuses an out/ holding files a user added, naming them, and leaves it untouched', () => {
    const { config, out } = project()
    expect(build(config, out).status).toBe(0)
    writeFileSync(join(out, 'salt', 'notes.txt'), 'mine\n')
    const before = readTree(out)
    const link = readlinkSync(out)
    writeConfig(config, ['motd'], 'two')
    const run = build(config, out)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('DSL5013')
    expect(run.stderr).toContain(join(out, 'salt', 'notes.txt'))
    expect(readTree(out)).toEqual(before)
    expect(readlinkSync(out)).toBe(link)
  })

  it('refuses an out/ with a file edited since it was written, naming it', async () => {
    const { config, out } = project()
    expect(build(config, out).status).toBe(0)
    // an edit after the build (later than the switch, as any edit is)
    await new Promise((r) => setTimeout(r, 20))
    writeFileSync(join(out, 'salt', 'a.sls'), 'edited by hand\n')
    const before = readTree(out)
    const run = build(config, out)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(`edited since it was written: ${join(out, 'salt', 'a.sls')}`)
    expect(readTree(out)).toEqual(before)
  })

  it('does not take a directory for its own because of a copied manifest', () => {
    const { config, out } = project()
    const elsewhere = join(tempDir(), 'out')
    expect(build(config, elsewhere).status).toBe(0)
    const thesis = join(tempDir(), 'thesis')
    mkdirSync(thesis)
    writeFileSync(join(thesis, 'thesis.tex'), 'years of work\n')
    writeFileSync(join(thesis, 'manifest.json'), readFileSync(join(elsewhere, 'manifest.json')))
    const before = readTree(thesis)
    const run = build(config, thesis)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('thesis.tex')
    expect(readTree(thesis)).toEqual(before)
    expect(lstatSync(thesis).isDirectory()).toBe(true)
    expect(existsSync(out)).toBe(false)
    // and nothing is left beside it either
    expect(readdirSync(join(thesis, '..'))).toEqual(['thesis'])
  })

  it('follows an --out link the user made: the link stays, the directory it names gets the tree', () => {
    const { config, dir } = project()
    const real = join(dir, 'served')
    mkdirSync(real)
    const link = join(dir, 'out-link')
    symlinkSync(real, link)
    const run = build(config, link)
    expect(run.status, run.stderr).toBe(0)
    expect(readlinkSync(link)).toBe(real)
    expect(readlinkSync(real)).toBe('.served.d/gen-1')
    expect([...readTree(link).keys()]).toContain('salt/a.sls')
  })

  it('refuses a dangling --out link with a diagnostic', () => {
    const { config, dir } = project()
    const link = join(dir, 'dangling')
    symlinkSync(join(dir, 'nowhere', 'out'), link)
    const run = build(config, link)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('DSL5011')
    expect(run.stderr).not.toContain('internal error')
    expect(readlinkSync(link)).toBe(join(dir, 'nowhere', 'out'))
  })
})

describe('modes', () => {
  it('writes fixed modes whatever the umask, keeps an owner-only source private, and keeps the mode set on out/', async () => {
    const { config, out } = project()
    // GIVEN a umask of 000
    const run = spawn(
      '/bin/sh',
      [
        '-c',
        `umask 000; exec "${process.execPath}" bin/dsl.js build "${config}" --out "${out}" --no-typecheck`,
      ],
      { cwd: REPO },
    )
    const code = await new Promise((done) => run.on('exit', done))
    expect(code).toBe(0)
    const mode = (path: string) => (statSync(join(out, path)).mode & 0o777).toString(8)
    // THEN directories are 0755, files 0644, the owner-only source 0600, a new out/ 0755
    expect(mode('.')).toBe('755')
    expect(mode('salt')).toBe('755')
    expect(mode('salt/files')).toBe('755')
    expect(mode('salt/a.sls')).toBe('644')
    expect(mode('manifest.json')).toBe('644')
    expect(mode('salt/files/motd')).toBe('644')
    expect(mode('salt/files/key')).toBe('600')
    // WHEN the user sets out/'s mode THEN the next build keeps it
    chmodSync(out, 0o750)
    writeConfig(config, ['motd', 'key'], 'two')
    expect(build(config, out).status).toBe(0)
    expect(mode('.')).toBe('750')
    expect(mode('salt/a.sls')).toBe('644')
  })
})

describe('a link in the config tree', () => {
  it('is refused at the source: call when it leads out of the config tree', () => {
    const { config, out, sentinel } = project()
    rmSync(join(config, 'files', 'motd'))
    symlinkSync(join(sentinel, 'motd'), join(config, 'files', 'motd'))
    const run = build(config, out)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('DSL5010')
    expect(run.stderr).toContain('index.ts:4:')
    expect(existsSync(out)).toBe(false)
  })

  it('is refused inside a saltDir() too, when it leads out of the config tree', () => {
    const { config, out, sentinel } = project()
    mkdirSync(join(config, 'legacy'))
    writeFileSync(join(config, 'legacy', 'init.sls'), 'legacy: {}\n')
    symlinkSync(join(sentinel, 'motd'), join(config, 'legacy', 'motd'))
    writeFileSync(
      join(config, 'index.ts'),
      "import { file, saltDir, sls, top } from 'salt-dsl'\nsaltDir('legacy')\nexport const a = sls('a', () => {\n  file('/tmp/dsl-text', { contents: 'one' })\n})\ntop('*', [a])\n",
    )
    const run = build(config, out)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('DSL5010')
    expect(existsSync(out)).toBe(false)
  })

  it('is followed when it stays inside the tree', () => {
    const { config, out } = project()
    rmSync(join(config, 'files', 'motd'))
    writeFileSync(join(config, 'files', 'motd.real'), 'hello\n')
    symlinkSync('motd.real', join(config, 'files', 'motd'))
    const run = build(config, out)
    expect(run.status, run.stderr).toBe(0)
    expect(readTree(out).get('salt/files/motd')?.toString()).toBe('hello\n')
  })
})

describe('one build at a time', () => {
  it('refuses a second build while one writes the same out/, and lets the first finish', async () => {
    const { config, out } = project()
    const first = start(['build', config, '--out', out, '--no-typecheck'], {
      DSL_TEST_PAUSE_BEFORE_SWAP_MS: '3000',
    })
    try {
      await first.saw('pausing before the switch')
      const second = build(config, out)
      expect(second.status).toBe(1)
      expect(second.stderr).toContain('DSL5014')
      expect(second.stderr).toContain(`pid ${first.child.pid}`)
      expect((await first.exited).code).toBe(0)
      expect(leftovers(out)).toEqual([])
      // and once it is done, the next build runs
      expect(build(config, out).status).toBe(0)
    } finally {
      stop(first.child)
    }
  })

  it('is not stopped by the lock of a build that was killed', async () => {
    const { config, out } = project()
    const first = start(['build', config, '--out', out, '--no-typecheck'], {
      DSL_TEST_PAUSE_BEFORE_SWAP_MS: '5000',
    })
    await first.saw('pausing before the switch')
    first.child.kill('SIGKILL')
    await first.exited
    expect(leftovers(out).some((n) => n.startsWith('lock-'))).toBe(true)
    const run = build(config, out)
    expect(run.status, run.stderr).toBe(0)
    expect(leftovers(out)).toEqual([])
  })
})

describe('a build that is stopped', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'leaves the old tree and nothing of its own on %s',
    async (signal) => {
      const { config, out } = project()
      expect(build(config, out).status).toBe(0)
      const before = readTree(out)
      writeConfig(config, ['motd'], 'two')
      const run = start(['build', config, '--out', out, '--no-typecheck'], {
        DSL_TEST_PAUSE_BEFORE_SWAP_MS: '5000',
      })
      await run.saw('pausing before the switch')
      run.child.kill(signal)
      expect((await run.exited).signal).toBe(signal)
      expect(readTree(out)).toEqual(before)
      expect(leftovers(out)).toEqual([])
    },
  )

  it('never leaves its temporary tsconfig in the project, and the next build removes a killed one’s', async () => {
    const dir = tempDir('salt-dsl-user-')
    mkdirSync(join(dir, 'node_modules'), { recursive: true })
    symlinkSync(REPO, join(dir, 'node_modules', 'salt-dsl'))
    writeFileSync(join(dir, 'package.json'), '{ "name": "my-machines", "type": "module" }\n')
    const options = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options }))
    mkdirSync(join(dir, 'config'))
    writeConfig(join(dir, 'config'), [])
    const projectFiles = readdirSync(dir).sort()
    const cache = join(dir, 'node_modules', '.cache', 'salt-dsl')
    const temporary = () =>
      existsSync(cache) ? readdirSync(cache).filter((n) => n.startsWith('tsconfig-')) : []
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const run = start(['build', join(dir, 'config'), '--out', join(dir, 'out')])
      await run.saw(() => temporary().length > 0)
      run.child.kill(signal)
      await run.exited
      expect(
        readdirSync(dir)
          .filter((n) => n.includes('tsconfig'))
          .sort(),
      ).toEqual(['tsconfig.json'])
      expect(temporary().length).toBe(signal === 'SIGTERM' ? 0 : 1)
    }
    const next = dsl(['build', join(dir, 'config'), '--out', join(dir, 'out')])
    expect(next.status, next.stderr).toBe(0)
    expect(temporary()).toEqual([])
    expect(readdirSync(dir).sort()).toEqual([...projectFiles, '.out.d', 'out'].sort())
  })
})

describe('dsl build --watch', () => {
  it('never writes through a link planted in out/, nor removes what it points to', async () => {
    const { config, out, sentinel } = project()
    const before = readTree(sentinel)
    const watch = start(['build', config, '--out', out, '--watch'])
    try {
      await watch.saw('rebuilt in')
      // GIVEN out/salt/files is replaced by a link to a directory outside the tree
      rmSync(join(out, 'salt', 'files'), { recursive: true })
      symlinkSync(sentinel, join(out, 'salt', 'files'))
      // WHEN the config ships one more file, then one less
      writeFileSync(join(config, 'files', 'issue'), 'welcome\n')
      writeConfig(config, ['motd', 'key', 'issue'], 'two')
      await watch.saw('DSL5013')
      writeConfig(config, ['key'], 'three')
      await watch.saw(() => watch.output().split('DSL5013').length >= 3)
      // THEN the directory the link names is as it was
      expect(readTree(sentinel)).toEqual(before)
      // AND once the link is gone the watch writes the tree again
      rmSync(join(out, 'salt', 'files'))
      writeConfig(config, ['key'], 'four')
      await watch.saw(
        () =>
          existsSync(join(out, 'salt/a.sls')) &&
          readFileSync(join(out, 'salt/a.sls'), 'utf8').includes('four'),
      )
      expect([...readTree(out).keys()]).toContain('salt/files/key')
      expect(readTree(sentinel)).toEqual(before)
    } finally {
      stop(watch.child)
    }
  })

  it('writes the whole tree again, and says so, when out/ is removed', async () => {
    const { config, out } = project()
    const watch = start(['build', config, '--out', out, '--watch'])
    try {
      await watch.saw('rebuilt in')
      const whole = readTree(out)
      rmSync(out, { recursive: true, force: true })
      await watch.saw('was removed or replaced: wrote the whole tree again')
      await watch.saw(() => existsSync(join(out, 'manifest.json')))
      expect([...readTree(out).keys()]).toEqual([...whole.keys()])
      expect(readTree(out)).toEqual(whole)
    } finally {
      stop(watch.child)
    }
  })

  it('holds the lock while it runs, and rebuilds into new generations', async () => {
    const { config, out } = project()
    const watch = start(['build', config, '--out', out, '--watch'])
    try {
      await watch.saw('rebuilt in')
      const other = build(config, out)
      expect(other.status).toBe(1)
      expect(other.stderr).toContain('DSL5014')
      const first = readlinkSync(out)
      writeConfig(config, ['motd', 'key'], 'two')
      await watch.saw(() => readFileSync(join(out, 'salt/a.sls'), 'utf8').includes('two'))
      expect(readlinkSync(out)).not.toBe(first)
      // an unchanged file is the same inode in both generations (linked, not copied)
      const gens = generationsOf(out).sort()
      expect(gens.length).toBe(2)
      const ino = (gen: string) => statSync(join(out, '..', '.out.d', gen, 'salt/files/motd')).ino
      expect(ino(gens[0]!)).toBe(ino(gens[1]!))
    } finally {
      watch.child.kill('SIGINT')
      await watch.exited
    }
    expect(leftovers(out)).toEqual([])
  })
})
