import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO } from '../support/cli.ts'

const BIN = join(REPO, '.venv', 'bin')

/** A real salt-master loading a built `master.d/`, and minions that register with it, on 127.0.0.1. */
export interface LoopbackFleet {
  /** The master's config dir (`master` + the emitted `master.d/`): `dsl --salt-config`. */
  readonly configDir: string
  /** Runs a master tool (`salt`, `salt-key`, `salt-run`) with --out=json; the parsed output. */
  salt(
    tool: string,
    args: readonly string[],
    timeoutMs?: number,
  ): { status: number; data: unknown; stderr: string }
  /**
   * Starts a minion (no key accepted: it waits pending until someone accepts it, unless the master
   * auto-accepts); `settings` add to its config (its `grains`).
   */
  startMinion(id: string, settings?: Record<string, unknown>): void
  /** Kills one minion's whole process group (its job's workers included). */
  killMinion(id: string): void
  /** Kills every daemon's process group: the master, each minion. */
  stop(): void
}

/** Starts the master (own ports, temp dirs, the tree's `master.d/`); minions are started by the test. */
export async function startFleet(opts: {
  dir: string
  masterD: string
  /** More settings of the test master's own (salt-ssh's known_hosts_file). */
  master?: Record<string, unknown>
  /** The master's publish port (its ret port is the next one): a test's own range; else one in 40000–49999. */
  port?: number
}): Promise<LoopbackFleet> {
  const base = opts.port ?? 40000 + Math.floor(Math.random() * 10000)
  const [publish, ret] = [base, base + 1]
  const configDir = join(opts.dir, 'conf-master')
  const m = join(opts.dir, 'master-root')
  mkdirSync(configDir, { recursive: true })
  cpSync(opts.masterD, join(configDir, 'master.d'), { recursive: true })
  // only what a test master needs of its own: file roots, keys and ACL come from the emitted master.d
  writeFileSync(
    join(configDir, 'master'),
    JSON.stringify({
      log_level_logfile: 'warning',
      user: 'root',
      interface: '127.0.0.1',
      publish_port: publish,
      ret_port: ret,
      root_dir: m,
      pki_dir: join(m, 'pki'),
      cachedir: join(m, 'cache'),
      sock_dir: join(m, 'sock'),
      pidfile: join(m, 'master.pid'),
      log_file: join(m, 'master.log'),
      pillar_mask_output: false,
      ...opts.master,
    }),
  )
  const children = new Map<string, ChildProcess>()
  const kill = (child: ChildProcess | undefined) => {
    try {
      if (child?.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  const stop = () => {
    for (const child of children.values()) kill(child)
  }
  process.once('exit', stop)
  children.set(
    'master',
    spawn(join(BIN, 'salt-master'), ['-c', configDir, '-l', 'quiet'], { stdio: 'ignore', detached: true }),
  )
  const salt = (tool: string, args: readonly string[], timeoutMs = 120_000) => {
    const run = spawnSync(join(BIN, tool), ['-c', configDir, '--out=json', '--out-indent=-1', ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
    })
    let data: unknown
    try {
      data = JSON.parse(run.stdout)
    } catch {
      data = run.stdout
    }
    return { status: run.status ?? -1, data, stderr: run.stderr }
  }
  // the master answers once its key store exists and salt-key can read it
  for (let i = 0; i < 60 && !existsSync(join(m, 'pki', 'master.pub')); i++)
    await new Promise((r) => setTimeout(r, 500))
  const startMinion = (id: string, settings: Record<string, unknown> = {}) => {
    const conf = join(opts.dir, `conf-${id}`)
    const n = join(opts.dir, `root-${id}`)
    mkdirSync(conf, { recursive: true })
    writeFileSync(
      join(conf, 'minion'),
      JSON.stringify({
        log_level_logfile: 'warning',
        user: 'root',
        id,
        master: '127.0.0.1',
        master_port: ret,
        publish_port: publish,
        root_dir: n,
        pki_dir: join(n, 'pki'),
        cachedir: join(n, 'cache'),
        sock_dir: join(n, 'sock'),
        pidfile: join(n, 'minion.pid'),
        log_file: join(n, 'minion.log'),
        acceptance_wait_time: 1,
        acceptance_wait_time_max: 2,
        ...settings,
      }),
    )
    children.set(
      id,
      spawn(join(BIN, 'salt-minion'), ['-c', conf, '-l', 'quiet'], { stdio: 'ignore', detached: true }),
    )
  }
  return {
    configDir,
    salt,
    startMinion,
    killMinion: (id) => kill(children.get(id)),
    stop,
  }
}

/** Polls `check` every half second until it holds (at most `tries` times); false if it never did. */
export async function until(check: () => boolean, tries = 120): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, 500))
  }
  return false
}

/** An sshd on 127.0.0.1 (own port, host key and config) that lets one user in with one key. */
export interface LoopbackSshd {
  readonly port: number
  /** The private key the user logs in with. */
  readonly key: string
  /** A known_hosts file naming this sshd's host key. */
  readonly knownHosts: string
  stop(): void
}

/** Starts sshd in the foreground (its own process group); `user` must exist, with a home. */
export async function startSshd(opts: { dir: string; user: string; home: string }): Promise<LoopbackSshd> {
  const port = 50000 + Math.floor(Math.random() * 10000)
  const key = join(opts.dir, 'ssh-key')
  const hostKey = join(opts.dir, 'ssh-host-key')
  for (const k of [key, hostKey]) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', k])
  // a user useradd made is locked (no password): sshd refuses a locked account even with a key
  execFileSync('usermod', ['-p', '*', opts.user])
  const ssh = join(opts.home, '.ssh')
  mkdirSync(ssh, { recursive: true })
  writeFileSync(join(ssh, 'authorized_keys'), readFileSync(`${key}.pub`))
  const id = (flag: string) => Number(execFileSync('id', [flag, opts.user], { encoding: 'utf8' }).trim())
  const [uid, gid] = [id('-u'), id('-g')]
  chownSync(ssh, uid, gid)
  chownSync(join(ssh, 'authorized_keys'), uid, gid)
  chmodSync(ssh, 0o700)
  const config = join(opts.dir, 'sshd_config')
  const pidFile = join(opts.dir, 'sshd.pid')
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${pidFile}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `AllowUsers ${opts.user}`,
      // salt-ssh copies its thin Salt with scp, which speaks SFTP since OpenSSH 9
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      '',
    ].join('\n'),
  )
  mkdirSync('/run/sshd', { recursive: true }) // sshd's privilege separation dir
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: 'ignore', detached: true })
  const stop = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  process.once('exit', stop)
  const knownHosts = join(opts.dir, 'known_hosts')
  const [type, body] = readFileSync(`${hostKey}.pub`, 'utf8').split(' ')
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${type} ${body}\n`)
  if (!(await until(() => existsSync(pidFile), 40))) {
    stop()
    throw new Error('sshd did not start')
  }
  return { port, key, knownHosts, stop }
}
