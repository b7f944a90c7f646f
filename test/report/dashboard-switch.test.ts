// dsl dashboard --out switches the site in as the build switches out/: a link to a complete site beside
// it, replaced by one rename, so a reader never finds no site or half of one; a directory that is not a
// site dsl wrote is never replaced.
import { spawn } from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'

describe('dsl dashboard --out: one switch of a link, as the build does', () => {
  let dir: string
  let env: Record<string, string>
  const dashboard = (out: string) =>
    dsl(['dashboard', '--out', out, '--reports', join(dir, 'no-reports')], env)

  beforeAll(() => {
    dir = tempDir('salt-dsl-dashboard-switch-')
    mkdirSync(join(dir, 'state'))
    env = { DSL_STATE_DIR: join(dir, 'state') }
  })

  it('out is a link to a complete site; readers see a whole index.html through 30 rebuilds', async () => {
    const site = join(dir, 'site')
    const first = dashboard(site)
    expect(first.status, first.stderr).toBe(0)
    expect(lstatSync(site).isSymbolicLink()).toBe(true)
    expect(readlinkSync(site)).toBe('.site.d/gen-1')
    const page = readFileSync(join(site, 'index.html'), 'utf8')
    expect(page).toContain('</html>')

    // a reader in another process, reading the page as fast as it can while the site is rebuilt; it says
    // "ready" once its SIGTERM handler is in place, and the rebuilds start only then (a reader killed before
    // it listens would report nothing)
    const reader = spawn(
      process.execPath,
      [
        '-e',
        // batches between turns of the event loop, so that SIGTERM is heard
        `const fs = require('fs'); let reads = 0, misses = 0;
         process.on('SIGTERM', () => { fs.writeSync(1, JSON.stringify({ reads, misses }) + '\\n'); process.exit(0) });
         fs.writeSync(1, 'ready\\n');
         const loop = () => { for (let i = 0; i < 100; i++) { try { const t = fs.readFileSync(process.argv[1], 'utf8'); reads++; if (!t.includes('</html>')) misses++ } catch { misses++ } } setImmediate(loop) };
         loop()`,
        join(site, 'index.html'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    let ready: () => void = () => {}
    const listening = new Promise<void>((r) => {
      ready = r
    })
    reader.stdout.on('data', (c) => {
      out += c
      if (out.startsWith('ready\n')) ready()
    })
    const done = new Promise<[number | null, string | null]>((r) =>
      // 'close', not 'exit': exit may come before the last of stdout is read
      reader.on('close', (code, signal) => r([code, signal])),
    )
    let exit: [number | null, string | null]
    try {
      await Promise.race([listening, done])
      for (let i = 0; i < 30; i++) {
        const run = dashboard(site)
        expect(run.status, run.stderr).toBe(0)
      }
    } finally {
      reader.kill('SIGTERM')
      exit = await done
    }
    expect(exit, `reader's output: ${JSON.stringify(out)}`).toEqual([0, null])
    const last = out.trim().split('\n').at(-1) ?? ''
    const { reads, misses } = JSON.parse(last) as { reads: number; misses: number }
    expect(reads).toBeGreaterThan(0)
    expect(misses).toBe(0)
    // AND the site is generation 31, the one before it kept for a reader still on it, no leftovers
    expect(readlinkSync(site)).toBe('.site.d/gen-31')
    expect(readdirSync(join(dir, '.site.d')).sort()).toEqual(['.gitignore', 'gen-30', 'gen-31'])
  })

  it('a site an older dsl wrote as a directory is taken over; any other directory is refused, untouched', () => {
    const old = join(dir, 'old-site')
    mkdirSync(join(old, 'assets'), { recursive: true })
    writeFileSync(join(old, 'assets', 'dashboard.css'), 'body {}\n')
    writeFileSync(join(old, 'index.html'), '<html></html>\n')
    expect(dashboard(old).status).toBe(0)
    expect(readlinkSync(old)).toBe('.old-site.d/gen-1')

    const mine = join(dir, 'my-files')
    mkdirSync(mine)
    writeFileSync(join(mine, 'notes.txt'), 'mine\n')
    const refused = dashboard(mine)
    expect(refused.status).toBe(1)
    expect(refused.stderr).toContain(
      `${mine} exists and is not a dashboard dsl wrote: refusing to replace it`,
    )
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('mine\n')
    expect(existsSync(join(dir, '.my-files.d'))).toBe(false)
  })

  it('dashboards written into one --out at once take turns: the link ends on a complete site', async () => {
    const site = join(dir, 'together')
    const runs = Array.from({ length: 8 }, () =>
      spawn(
        process.execPath,
        [join(REPO, 'bin/dsl.js'), 'dashboard', '--out', site, '--reports', join(dir, 'no-reports')],
        // each holds 300 ms between taking its generation's number and switching to it
        { cwd: REPO, env: { ...process.env, ...env, DSL_DASHBOARD_HOLD_MS: '300' }, stdio: 'ignore' },
      ),
    )
    const codes = await Promise.all(
      runs.map((r) => new Promise<number | null>((done) => r.on('close', (code) => done(code)))),
    )
    expect(codes).toEqual(Array(8).fill(0))
    // THEN out names the last generation, complete; the one before it is kept; nothing else is left
    expect(readlinkSync(site)).toBe('.together.d/gen-8')
    expect(readFileSync(join(site, 'index.html'), 'utf8')).toContain('</html>')
    expect(
      readdirSync(join(dir, '.together.d'))
        .filter((n) => n !== '.gitignore')
        .sort(),
    ).toEqual(['gen-7', 'gen-8'])
  })
})
