// bootstrap.sh: shellcheck-clean POSIX sh; platform detection against real os-release/uname outputs; and a
// real run on this host from a bare clone of a scaffolded project into a throw-away prefix, twice, applying
// only a throw-away user's dotfiles (as root, a store under a temp dir).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throwawayUser } from '../support/apply.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'

const SCRIPT = join(REPO, 'bootstrap.sh')
const FIXTURES = join(REPO, 'test/onboard/fixtures/os-release')

function bootstrap(args: readonly string[], env: Record<string, string> = {}) {
  const run = spawnSync('sh', [SCRIPT, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr }
}

describe('bootstrap.sh', () => {
  it('is clean under shellcheck as POSIX sh', () => {
    const run = spawnSync('shellcheck', ['-s', 'sh', SCRIPT], { encoding: 'utf8' })
    expect(run.error, 'shellcheck is missing: apt-get install -y shellcheck').toBeUndefined()
    expect(run.stdout).toBe('')
    expect(run.status).toBe(0)
  })

  const linux = (file: string, machine: string) => ({
    BOOTSTRAP_UNAME_S: 'Linux',
    BOOTSTRAP_UNAME_M: machine,
    BOOTSTRAP_OS_RELEASE: join(FIXTURES, file),
  })
  it.each([
    [
      'Ubuntu 24.04 x86_64',
      linux('ubuntu-24.04', 'x86_64'),
      'os=ubuntu version=24.04 arch=x86_64 package-manager=apt-get',
    ],
    [
      'Ubuntu 24.04 arm64',
      linux('ubuntu-24.04', 'aarch64'),
      'os=ubuntu version=24.04 arch=arm64 package-manager=apt-get',
    ],
    [
      'Debian 12 x86_64',
      linux('debian-12', 'x86_64'),
      'os=debian version=12 arch=x86_64 package-manager=apt-get',
    ],
    [
      'Debian 12 arm64',
      linux('debian-12', 'aarch64'),
      'os=debian version=12 arch=arm64 package-manager=apt-get',
    ],
    [
      'Fedora 41 x86_64',
      linux('fedora-41', 'x86_64'),
      'os=fedora version=41 arch=x86_64 package-manager=dnf',
    ],
    ['Fedora 41 arm64', linux('fedora-41', 'aarch64'), 'os=fedora version=41 arch=arm64 package-manager=dnf'],
    ['Arch x86_64', linux('arch', 'x86_64'), 'os=arch version=rolling arch=x86_64 package-manager=pacman'],
    [
      'macOS arm64',
      { BOOTSTRAP_UNAME_S: 'Darwin', BOOTSTRAP_UNAME_M: 'arm64', BOOTSTRAP_SW_VERS: '15.1' },
      'os=macos version=15.1 arch=arm64 package-manager=brew',
    ],
    [
      'macOS x86_64',
      { BOOTSTRAP_UNAME_S: 'Darwin', BOOTSTRAP_UNAME_M: 'x86_64', BOOTSTRAP_SW_VERS: '14.7.1' },
      'os=macos version=14.7.1 arch=x86_64 package-manager=brew',
    ],
  ])('detects %s', (_, env, expected) => {
    const run = bootstrap(['--detect-only'], env)
    expect(run.stderr).toBe('')
    expect(run.stdout.trim()).toBe(expected)
    expect(run.status).toBe(0)
  })

  it.each([
    [
      'Alpine 3.20',
      linux('alpine-3.20', 'x86_64'),
      /unsupported Linux distribution 'alpine' \(Alpine Linux v3\.20\)/,
    ],
    [
      'FreeBSD',
      { BOOTSTRAP_UNAME_S: 'FreeBSD', BOOTSTRAP_UNAME_M: 'amd64' },
      /unsupported operating system 'FreeBSD'/,
    ],
    ['Debian on riscv64', linux('debian-12', 'riscv64'), /unsupported architecture 'riscv64'/],
  ])('refuses %s (exit 3, a message)', (_, env, message) => {
    const run = bootstrap(['--detect-only'], env)
    expect(run.stderr).toMatch(message)
    expect(run.status).toBe(3)
  })

  describe('on this host, for real (as root)', () => {
    const user = throwawayUser()
    afterAll(() => user.remove())

    let dir: string
    let args: string[]
    let env: Record<string, string>
    beforeAll(() => {
      // GIVEN a project made (and installed) by `dsl init` for another machine, pushed to a bare repository
      dir = tempDir('salt-dsl-bootstrap-')
      const made = dsl([
        'init',
        join(dir, 'project'),
        '--yes',
        '--machine',
        'other-box',
        '--platform',
        'arch',
        '--user',
        user.name,
      ])
      expect(made.status, made.stderr).toBe(0)
      const git = (...a: string[]) =>
        execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...a], {
          cwd: dir,
          encoding: 'utf8',
        })
      git('-C', 'project', 'add', '-A')
      git('-C', 'project', 'commit', '-qm', 'my machines')
      git('clone', '-q', '--bare', 'project', 'repo.git')
      env = { DSL_STATE_DIR: join(dir, 'state'), BOOTSTRAP_LOG: join(dir, 'first.log') }
      args = [
        '--repo',
        join(dir, 'repo.git'),
        '--prefix',
        join(dir, 'machines', 'prefix'),
        '--yes',
        '--user',
        user.name,
      ]
    })

    it('--dry-run says what it would do and does nothing', () => {
      const run = bootstrap([...args, '--dry-run'], { ...env, BOOTSTRAP_LOG: join(dir, 'dry.log') })
      expect(run.status, run.stdout + run.stderr).toBe(0)
      expect(run.stdout).toMatch(/^\[4\] config repository: would clone .*repo\.git into .*prefix/m)
      expect(run.stdout).toMatch(/^\[9\] plan and apply: would plan and apply/m)
      expect(existsSync(join(dir, 'machines', 'prefix'))).toBe(false)
    })

    it('installs nothing present, clones, registers, applies; a second run changes nothing', () => {
      // WHEN bootstrapped
      const first = bootstrap(args, env)

      // THEN each step has its line and duration, the machine is registered, and the dotfiles are there
      expect(first.status, first.stdout + first.stderr).toBe(0)
      expect(first.stdout).toMatch(/^\[1\] git: present \(.*\) \(\d+s\)$/m)
      expect(first.stdout).toMatch(/^\[2\] Node\.js >= 20: present \(Node\.js 2\d/m)
      expect(first.stdout).toMatch(/^\[4\] config repository: cloned into /m)
      expect(first.stdout).toMatch(
        /^\[7\] this machine in the inventory: registered machine '[^']+': debian, x86_64/m,
      )
      expect(first.stdout).toMatch(/^\[9\] plan and apply: Applied: \d+ changed, 0 failed/m)
      // the plan is shown before the apply
      expect(first.stdout).toMatch(/^ {4}Plan: /m)
      expect(first.stdout).toMatch(/^bootstrap: done in \d+s; log: .*first\.log$/m)
      expect(readFileSync(join(dir, 'first.log'), 'utf8')).toContain('$ git clone')
      expect(readFileSync(join(user.home, '.config/salt-dsl/editor'), 'utf8')).toBe('vi\n')
      expect(readFileSync(join(user.home, '.editorconfig'), 'utf8')).toContain('root = true')
      const inventory = readFileSync(join(dir, 'machines/prefix/config/inventory.ts'), 'utf8')
      // the clone holds the registration as the only change: the build's output is ignored
      const status = execFileSync('git', ['-C', join(dir, 'machines', 'prefix'), 'status', '--porcelain'], {
        encoding: 'utf8',
      })
      expect(status.split('\n').filter(Boolean).sort()).toEqual([' M config/inventory.ts'])
      expect(inventory).toContain("platform: 'debian'")

      // WHEN run again THEN every step has nothing to do, and it says so
      const second = bootstrap(args, { ...env, BOOTSTRAP_LOG: join(dir, 'second.log') })
      expect(second.status, second.stdout + second.stderr).toBe(0)
      expect(second.stdout).toMatch(/^\[4\] config repository: up to date/m)
      expect(second.stdout).toMatch(/^\[5\] npm packages: up to date/m)
      expect(second.stdout).toMatch(
        /^\[7\] this machine in the inventory: machine '[^']+' is already in the inventory/m,
      )
      expect(second.stdout).toMatch(/^\[9\] plan and apply: nothing to change/m)
      expect(second.stdout).toMatch(/^bootstrap: nothing to do: this machine was already set up/m)
      expect(readFileSync(join(dir, 'machines/prefix/config/inventory.ts'), 'utf8')).toBe(inventory)
    })
  })
})
