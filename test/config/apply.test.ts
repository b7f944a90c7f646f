import { execFileSync } from 'node:child_process'
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changed, PREFLIGHT_IDS, runs, throwawayUser } from '../support/apply.ts'
import { tempDir } from '../support/cli.ts'
import { type MinionSpec, SaltOracle } from '../support/salt.ts'
import { buildConfig } from './build.ts'

/** The modules config/ops declares (pre-flight, validation, reporting), told apart from the config's own. */
const OPS_SLS = /^(preflight|validation|reporting|maintenance|orchestrate)(\.|$)/

/** Failed states of one side, as `sls: id: comment` (first line). */
function failures(data: unknown, side: 'config' | 'ops'): string[] {
  const sls = (r: object) => String((r as { __sls__?: string }).__sls__)
  return runs(data)
    .filter((r) => r.result !== true && OPS_SLS.test(sls(r)) === (side === 'ops'))
    .map((r) => `${sls(r)}: ${r.__id__}: ${r.comment.split('\n')[0]}`)
}

const has = (cmd: string, args: string[]) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('config/ on this Debian host, as root: the minimal profile of debian-ci, applied for real', () => {
  let oracle: SaltOracle
  let user: ReturnType<typeof throwawayUser>
  let spec: MinionSpec
  // the host is offline but for its package mirror: the pre-flight's network check asks a local server
  let server: Server
  let source: Record<string, unknown>
  const reports = join(tempDir('salt-dsl-config-reports-'), 'reports')
  const apply = (kwargs: Record<string, unknown> = {}) =>
    oracle.call(spec, 'state.apply', [], { pillar: source, ...kwargs })
  const own = (path: string, bytes: Buffer | string, mode = 0o644) => {
    const full = join(user.home, path)
    mkdirSync(join(full, '..'), { recursive: true, mode: 0o700 })
    writeFileSync(full, bytes, { mode })
    chownSync(join(full, '..'), lstatSync(user.home).uid, lstatSync(user.home).gid)
    chownSync(full, lstatSync(user.home).uid, lstatSync(user.home).gid)
  }

  // the config keeps a once-a-day stamp of the package database refresh: leave the host as it was
  const STAMP = '/var/cache/salt-dsl/package-db.stamp'
  const stampExisted = existsSync(STAMP)

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    source = {
      ops: { preflight: { package_source_url: url, network_timeout_s: 5 }, reports: { dir: reports } },
    }
    oracle = await SaltOracle.start()
    user = throwawayUser()
    spec = buildConfig(user.name).spec('debian-ci') // the host's real grains: Debian
  })
  afterAll(async () => {
    user?.remove()
    if (!stampExisted) {
      rmSync(STAMP, { force: true })
      try {
        rmdirSync('/var/cache/salt-dsl') // only when the test created it empty
      } catch {
        // not empty or already gone
      }
    }
    await oracle?.close()
    server?.close()
  })

  it('test=True on the fresh user exits 0: what the apply creates is pending, not an error', async () => {
    // GIVEN a user that has none of the config's files yet
    expect(existsSync(join(user.home, '.gitconfig'))).toBe(false)
    // WHEN the recommended first command previews the highstate
    const preview = await oracle.call(
      spec,
      'state.apply',
      [],
      { pillar: source, test: true },
      {
        retcodePassthrough: false,
      },
    )
    // THEN salt-call exits 0 with no failed state: the checks of what does not exist yet are pending
    const failed = runs(preview.data).filter((r) => r.result === false)
    expect(failed.map((r) => `${r.__id__}: ${r.comment.split('\n')[0]}`)).toEqual([])
    expect(preview.retcode).toBe(0)
    const pending = runs(preview.data).filter((r) => r.__id__.startsWith('validate: ') && r.result === null)
    expect(pending.map((r) => r.__id__)).toContain(`validate: file ~${user.name}/.gitconfig`)
    for (const r of pending) expect(r.changes, r.__id__).toEqual({})
    // AND nothing was written
    expect(existsSync(join(user.home, '.gitconfig'))).toBe(false)
    expect(existsSync(join(user.home, '.bashrc.pre-dsl'))).toBe(false)
  })

  it('installs, writes the dotfiles, keeps what was there, then converges', async () => {
    // GIVEN a user with their own ~/.tmux.conf, the skeleton ~/.bashrc and an ~/.ssh/config of their own
    const tmux = Buffer.from('# mine\nset -g status off\n\u00e9\u0000\n')
    own('.tmux.conf', tmux)
    const sshOwn = 'Host build\n    HostName build.example.org\n    User me\n'
    own('.ssh/config', sshOwn, 0o600)
    const skel = readFileSync(join(user.home, '.bashrc'))
    const core = (await oracle.call(spec, 'pillar.get', ['packages:core'], { unmask: true })).data as string[]
    expect(core.length).toBeGreaterThan(0)

    // WHEN the highstate is applied
    const first = await apply()

    // THEN every state succeeds (the config's own and the ops checks), the core packages are installed by apt
    expect(failures(first.data, 'config')).toEqual([])
    expect(failures(first.data, 'ops')).toEqual([])
    expect(first.retcode).toBe(0)
    // AND pre-flight ran every check first, validation checked the list and only the modules of the profile
    const ids = runs(first.data).map((r) => r.__id__)
    expect(ids.slice(0, PREFLIGHT_IDS.length)).toEqual(PREFLIGHT_IDS)
    expect(ids).toContain('validate: packages of core-packages')
    expect(ids).toContain(`validate: git syntax ~${user.name}/.gitconfig`)
    expect(ids.filter((id) => /zshrc|nvim|packages of (development|desktop|security)/.test(id))).toEqual([])
    // AND the inventory report lists each core package, installed
    const inventory = JSON.parse(readFileSync(join(reports, 'inventory.json'), 'utf8'))
    const declared = inventory.declared_packages.map((p: { name: string; installed: boolean }) => p)
    for (const p of core)
      expect(declared, p).toContainEqual(expect.objectContaining({ name: p, installed: true }))
    for (const p of core) {
      const status = execFileSync('dpkg-query', ['-W', `-f=\${Status}`, p], { encoding: 'utf8' })
      expect(status, p).toBe('install ok installed')
    }
    expect(execFileSync('getent', ['passwd', user.name], { encoding: 'utf8' })).toContain(':/bin/bash')
    const home = (p: string) => join(user.home, p)
    const text = (p: string) => readFileSync(home(p), 'utf8')
    // AND the dotfiles are in place, from the pillar of debian-ci
    expect(text('.gitconfig')).toContain('email = "ci@example.org"')
    expect(text('.gitconfig')).toContain('defaultBranch = "main"')
    expect(text('.tmux.conf')).toContain('set -g prefix C-a')
    expect(text('.vimrc')).toContain('set tabstop=4')
    expect(text('.config/salt-dsl/shell/env.sh')).toContain("alias ll='ls -alF'")
    expect(text('.ssh/config.d/salt-dsl.conf')).toContain('ServerAliveInterval 60')
    // AND what the user had is kept: byte-identical backups, their own lines outside the managed blocks
    expect(readFileSync(home('.tmux.conf.pre-dsl')).equals(tmux)).toBe(true)
    expect(lstatSync(home('.tmux.conf.pre-dsl')).uid).toBe(lstatSync(user.home).uid)
    expect(readFileSync(home('.bashrc.pre-dsl')).equals(skel)).toBe(true)
    expect(readFileSync(home('.bashrc')).subarray(0, skel.length).equals(skel)).toBe(true)
    expect(text('.bashrc')).toContain('. "$HOME/.config/salt-dsl/shell/env.sh"')
    expect(text('.ssh/config').startsWith(sshOwn)).toBe(true)
    expect(text('.ssh/config')).toContain('Include ~/.ssh/config.d/salt-dsl.conf')
    expect(text('.ssh/config.pre-dsl')).toBe(sshOwn)
    expect(lstatSync(home('.ssh')).mode & 0o777).toBe(0o700)
    expect(lstatSync(home('.ssh/config')).mode & 0o777).toBe(0o600)
    // AND the configs pass their tools' own checks as the user runs them (validation.* checks them in the run)
    const asUser = (cmd: string) => has('su', ['-s', '/bin/sh', user.name, '-c', cmd])
    expect(asUser('git config --global --list >/dev/null')).toBe(true)
    expect(asUser('bash -n ~/.bashrc && bash -n ~/.config/salt-dsl/shell/env.sh')).toBe(true)
    expect(asUser('bash -ic "alias ll" >/dev/null 2>&1')).toBe(true)
    expect(asUser('ssh -G build | grep -qx "serveraliveinterval 60"')).toBe(true)
    expect(asUser('ssh -G build | grep -qx "hostname build.example.org"')).toBe(true)
    expect(
      asUser('tmux -L cfgtest -f ~/.tmux.conf start-server \\; show -g prefix \\; kill-server | grep -q C-a'),
    ).toBe(true)

    // AND a second apply changes nothing, and test=True after it predicts nothing
    const second = await apply()
    expect(failures(second.data, 'config')).toEqual([])
    expect(failures(second.data, 'ops')).toEqual([])
    expect(changed(second.data)).toEqual([])
    const predicted = await apply({ test: true })
    expect(changed(predicted.data)).toEqual([])
    expect(failures(predicted.data, 'config')).toEqual([])
    expect(failures(predicted.data, 'ops')).toEqual([])
    expect(readFileSync(home('.tmux.conf.pre-dsl')).equals(tmux)).toBe(true)
  })
})
