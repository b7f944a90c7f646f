// dsl dashboard, dsl audit and dsl alerts on a real machine: a throw-away user, directory and SysV service,
// applied for real by Salt (as root, the store under a temp dir), drifted by hand (a file edited, the service
// stopped with its own init script), then looked at in a real browser.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { type SysvService, sysvService } from '../support/sysv-service.ts'
import { startWebhook } from '../support/webhook.ts'
import { launch, open, rows, screenshot } from './browser.ts'

const FIXTURE = 'test/report/fixture'
const SOURCE = readFileSync(join(REPO, FIXTURE, 'index.ts'), 'utf8').split('\n')
const lineOf = (text: string) => SOURCE.findIndex((l) => l.includes(text)) + 1
const MOTD = lineOf('file(`$' + '{root}/motd`')
const BASELINE = readFileSync(join(REPO, 'config/ops/baseline.ts'), 'utf8').split('\n')

describe('status dashboard, audit trail and alerts (as root, a throw-away user and store)', () => {
  let user: ReturnType<typeof throwawayUser>
  let service: SysvService
  let env: Record<string, string>
  let dir: string
  let root: string
  let reports: string
  let browser: Browser
  const apply = (extra: Record<string, string> = {}, args: string[] = []) => {
    const run = dsl(['apply', FIXTURE, '--out', join(dir, 'out'), '--no-typecheck', '--yes', ...args], {
      ...env,
      ...extra,
    })
    return run
  }
  /** The services table and the services_running check of a dashboard built from the reports as they are. */
  const servicesShown = async (name: string) => {
    const site = join(dir, `site-${name}`)
    const built = dsl(['dashboard', '--out', site, '--reports', reports], env)
    expect(built.status, built.stderr).toBe(0)
    const { page, errors } = await open(browser, pathToFileURL(join(site, 'index.html')).href)
    await screenshot(page, name)
    expect(errors).toEqual([])
    const checks = await rows(page, 'table.compliance')
    return {
      services: await rows(page, 'table.services'),
      running: checks.find((r) => r.cells[0] === 'services_running')?.cells[2],
    }
  }

  beforeAll(async () => {
    user = throwawayUser()
    service = sysvService()
    dir = tempDir('salt-dsl-report-')
    root = join(dir, 'managed')
    reports = join(dir, 'reports')
    env = {
      MACHINE_USER: user.name,
      MACHINE_HOME: user.home,
      MACHINE_ROOT: root,
      DSL_STATE_DIR: join(dir, 'state'),
      REPORT_DIR: reports,
      MACHINE_SERVICE: service.name,
    }
    // a world-writable file in the home the security baseline searches
    writeFileSync(join(user.home, 'open-to-all'), 'x\n')
    chmodSync(join(user.home, 'open-to-all'), 0o666)
    // GIVEN a second machine id of the store (applied as `--machine fleet-other`), then this host twice
    for (const [extra, args] of [
      [{}, ['--machine', 'fleet-other']],
      [{}, []],
      [{ MACHINE_VARIANT: 'b' }, []],
    ] as const) {
      const run = apply(extra, [...args])
      expect(run.status, run.stderr + run.stdout).toBe(0)
    }
    // THEN Salt started the declared service: its init script's daemon runs
    expect(service.pgid()).toBeDefined()
    // GIVEN the motd edited by hand, and the service stopped behind salt-dsl's back (its own init script)
    appendFileSync(join(root, 'motd'), 'edited by hand\n')
    service.stop()
    expect(service.pgid()).toBeUndefined()
    // WHEN the drift check runs THEN it records the file and the service
    const drift = dsl(['drift', '--record', '--detailed-exitcode'], env)
    expect(drift.status, drift.stderr + drift.stdout).toBe(2)
    const recorded = JSON.parse(readFileSync(join(dir, 'state', 'drift.json'), 'utf8')) as {
      states: { id: string; function: string; change: string }[]
    }
    expect(recorded.states.filter((s) => s.change !== 'no-op').map((s) => [s.function, s.id])).toEqual(
      expect.arrayContaining([
        ['file.managed', `${root}/motd`],
        ['service.running', service.name],
      ]),
    )
    expect(drift.stdout).toContain(service.name)
    browser = await launch()
  })
  afterAll(async () => {
    await browser?.close()
    service?.remove()
    user?.remove()
  })

  it("one machine: the applied states at their TypeScript lines, the drifted file marked, reports' tables", async () => {
    const site = join(dir, 'site')
    const built = dsl(['dashboard', '--out', site, '--reports', reports], env)
    expect(built.status, built.stderr).toBe(0)
    const { page, errors } = await open(browser, pathToFileURL(join(site, 'index.html')).href)
    await page.waitForSelector('#chart .uplot')
    await screenshot(page, 'machine')
    expect(errors).toEqual([])

    const states = await rows(page, 'table.states')
    const motd = states.find((r) => r.cells[0] === `${root}/motd`)
    // THEN the state links to its TypeScript line, and the drifted file is marked
    expect(motd?.cells[6]).toBe(`${FIXTURE}/index.ts:${MOTD}`)
    expect(motd?.cls).toBe('drifted')
    expect(motd?.cells[4]).toBe('drifted')
    const link = await page.$eval(`tr[data-state="${root}/motd"] a`, (a) => a.getAttribute('href'))
    expect(link).toBe(`${pathToFileURL(join(REPO, FIXTURE, 'index.ts')).href}#L${MOTD}`)
    const token = states.find((r) => r.cells[0] === `${root}/token`)
    expect(token).toMatchObject({ cls: '', cells: expect.arrayContaining(['in sync']) })
    expect(states.find((r) => r.cells[0] === `~${user.name}/.inputrc`)?.cells[3]).toBe('change')

    // AND the service's state is marked drifted
    expect(states.find((r) => r.cells[0] === service.name)).toMatchObject({ cls: 'drifted' })
    // AND the reports Salt wrote: the declared service is stopped (declared running only: enabling needs
    // insserv here), the package has its version
    expect(await rows(page, 'table.services')).toEqual([
      { cls: 'failed', cells: [service.name, 'stopped', 'disabled'] },
    ])
    const version = execFileSync('dpkg-query', ['-W', 'coreutils'], { encoding: 'utf8' })
      .trim()
      .split('\t')[1]
    expect((await rows(page, 'table.packages'))[0]?.cells.slice(0, 3)).toEqual(['coreutils', 'yes', version])
    const checks = await rows(page, 'table.compliance')
    expect(checks.find((r) => r.cells[0] === 'services_running')?.cells[2]).toBe('fail')
    expect(checks.find((r) => r.cells[0] === 'managed_files_in_place')?.cells[2]).toBe('pass')
    // AND the security baseline's rules, a failed one at its TypeScript line
    const rule = (await rows(page, 'table.baseline')).find((r) => r.cells[0] === 'no_world_writable_in_homes')
    expect(rule?.cells.slice(0, 4)).toEqual([
      'no_world_writable_in_homes',
      'high',
      'fail',
      `world-writable files under ${user.home}`,
    ])
    const ruleLine = Number(/^config\/ops\/baseline\.ts:(\d+)$/.exec(rule?.cells[4] ?? '')?.[1])
    expect(BASELINE[ruleLine - 1]).toMatch(/^\s*state\(/)
    expect(BASELINE.slice(ruleLine - 1, ruleLine + 4).join('\n')).toContain("'no_world_writable_in_homes'")
    // AND the history: this host's two applies (the other machine id has its own page)
    expect((await rows(page, 'table.history')).map((r) => r.cells[0])).toEqual(['2', '3'])

    // AND without JavaScript the tables are all there (only the chart needs it)
    const plain = await open(browser, pathToFileURL(join(site, 'index.html')).href, { javascript: false })
    expect(await rows(plain.page, 'table.states')).toEqual(states)
    expect(await plain.page.$('#chart .uplot')).toBeNull()
    await screenshot(plain.page, 'machine-no-javascript')
    expect(plain.errors).toEqual([])

    // AND dsl compliance says so too
    const compliance = dsl(['compliance', '--reports', reports, '--format', 'json'], env)
    const checked = JSON.parse(compliance.stdout) as {
      machines: { rows: { source: string; id: string; result: string; comment: string }[] }[]
    }
    const running = checked.machines[0]?.rows.find(
      (r) => r.source === 'report' && r.id === 'services_running',
    )
    expect(running?.result).toBe('fail')
    expect(running?.comment).toContain(service.name)
  })

  it('the fleet: one row per machine id of the store, drift first, each linking to its page (served)', async () => {
    const site = join(dir, 'fleet')
    const server = spawn(
      process.execPath,
      [
        join(REPO, 'bin/dsl.js'),
        'dashboard',
        '--fleet',
        '--out',
        site,
        '--reports',
        reports,
        '--serve',
        '--port',
        '0',
      ],
      { cwd: REPO, env: { ...process.env, ...env } },
    )
    try {
      const url = await servedUrl(server)
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      const { page, errors } = await open(browser, url)
      await screenshot(page, 'fleet')
      const fleet = await rows(page, 'table.fleet')
      expect(fleet.map((r) => [r.cells[0], r.cells[3], r.cells[4]])).toEqual([
        [expect.not.stringMatching(/^fleet-other$/), 'drifted', '2'],
        ['fleet-other', 'not checked', '1'],
      ])
      expect(fleet[0]?.cls).toBe('drifted')
      for (const [i, name] of ['fleet-host', 'fleet-other'].entries()) {
        await page.click(`table.fleet tbody tr:nth-child(${i + 1}) a`)
        await page.waitForSelector('#chart .uplot')
        await screenshot(page, name)
        await page.goBack()
      }
      const other = await open(browser, `${url}machine-fleet-other.html`)
      // the other machine id's states come from its own generation, with no drift check
      expect((await rows(other.page, 'table.states')).every((r) => r.cls === '' && r.cells[4] === '—')).toBe(
        true,
      )
      expect([...errors, ...other.errors]).toEqual([])
    } finally {
      server.kill('SIGTERM')
    }
  })

  it('the audit log: each generation with its revision, changes and secret-bearing states; tampering fails it', () => {
    const shown = dsl(['audit', '--format', 'json'], env)
    expect(shown.status, shown.stdout).toBe(0)
    const log = JSON.parse(shown.stdout) as {
      entries: {
        action: string
        generation: number
        machine?: string
        changed: string[]
        secrets: string[]
      }[]
    }
    expect(log.entries.map((e) => [e.action, e.generation, e.machine])).toEqual([
      ['apply', 1, 'fleet-other'],
      ['apply', 2, undefined],
      ['apply', 3, undefined],
    ])
    expect(log.entries[2]?.changed).toEqual(expect.arrayContaining([`${root}/motd`, `${root}/token`]))
    expect(log.entries[2]?.secrets).toEqual([`${root}/token`])
    expect(dsl(['audit'], env).stdout).toContain('3 line(s); the hash chain verifies')

    // WHEN a line is edited THEN the chain fails at that line
    const file = join(dir, 'state', 'audit.log')
    const good = readFileSync(file, 'utf8')
    writeFileSync(file, good.replace('"generation":2', '"generation":7'))
    const edited = dsl(['audit'], env)
    expect(edited.status).toBe(1)
    expect(edited.stdout).toContain('audit log line 2: its content does not match its hash (edited)')
    // WHEN a line is removed THEN the next one no longer follows
    const lines = good.split('\n')
    writeFileSync(file, [lines[0], ...lines.slice(2)].join('\n'))
    const removed = dsl(['audit'], env)
    expect(removed.status).toBe(1)
    expect(removed.stdout).toContain('audit log line 2: it does not follow the line before it')
    writeFileSync(file, good)
    expect(dsl(['audit'], env).status).toBe(0)
  })

  it('alerts: a command and a webhook, once per new condition (drift, compliance, a failed apply)', async () => {
    const hook = await startWebhook<{ kind: string; machine: string; key: string }>()
    const { received } = hook
    const hooked = join(dir, 'hook.log')
    const alertEnv = { ...env, ALERT_URL: hook.url, ALERT_LOG: hooked }
    // run without blocking this process: the webhook's server lives in it
    const alerts = () =>
      new Promise<number>((done) => {
        const args = ['alerts', '--config', `${FIXTURE}/alerts.ts`, '--reports', reports]
        execFile(
          process.execPath,
          [join(REPO, 'bin/dsl.js'), ...args],
          { cwd: REPO, env: { ...process.env, ...alertEnv } },
          (e, out, err) => {
            if (e) process.stderr.write(`${out}${err}`)
            done(e ? Number(e.code ?? -1) : 0)
          },
        )
      })
    const kinds = () => received.map((r) => r.kind).sort()
    try {
      // WHEN run on the drifted machine whose declared service is stopped
      expect(await alerts()).toBe(0)
      // THEN drift and the compliance failures (the report's and the baseline's) are sent by webhook, and
      // drift by the command too
      expect(kinds().filter((k) => k === 'drift')).toEqual(['drift'])
      const keys = received.map((r) => r.key)
      expect(keys).toContain(`compliance:${received[0]?.machine}:services_running`)
      expect(keys).toContain(`compliance:${received[0]?.machine}:baseline:no_world_writable_in_homes`)
      expect(kinds()).not.toContain('failed-apply')
      expect(readFileSync(hooked, 'utf8').trim().split('\n')).toEqual(['drift'])
      // WHEN run again with nothing new THEN nothing is sent
      received.length = 0
      expect(await alerts()).toBe(0)
      expect(received).toEqual([])
      // WHEN an apply fails THEN that alert is sent once
      const failed = apply({ MACHINE_FAIL: '1' })
      expect(failed.status).toBe(1)
      expect(await alerts()).toBe(0)
      expect(kinds()).toEqual(['failed-apply'])
      expect(await alerts()).toBe(0)
      expect(kinds()).toEqual(['failed-apply'])
    } finally {
      hook.close()
    }
  })

  it('dsl drift --fix starts the service stopped behind its back; the dashboard then shows it running', async () => {
    // GIVEN a good apply (the last one failed on purpose), then the service stopped with its init script
    const good = apply()
    expect(good.status, good.stderr + good.stdout).toBe(0)
    expect(service.pgid()).toBeDefined()
    service.stop()
    expect(service.pgid()).toBeUndefined()
    // WHEN the drift check runs THEN the service's state is what drifted
    const drift = dsl(['drift', '--detailed-exitcode'], env)
    expect(drift.status, drift.stderr + drift.stdout).toBe(2)
    expect(drift.stdout).toContain(service.name)
    // WHEN fixed THEN Salt starts it again, and the reports of that apply show it running
    const fixed = dsl(['drift', '--fix', '--yes'], env)
    expect(fixed.status, fixed.stderr + fixed.stdout).toBe(0)
    expect(service.pgid()).toBeDefined()
    const shown = await servicesShown('machine-service-fixed')
    expect(shown.services).toEqual([{ cls: '', cells: [service.name, 'running', 'disabled'] }])
    expect(shown.running).toBe('pass')
    expect(dsl(['drift', '--detailed-exitcode'], env).status).toBe(0)
  })
})

/** The URL `dsl dashboard --serve` prints once it listens. */
function servedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (c) => {
      out += c
      const m = /serving .* on (http:\S+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.on('exit', (code) => reject(new Error(`dsl dashboard --serve exited ${code}: ${out}`)))
  })
}
