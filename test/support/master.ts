import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO } from './cli.ts'

const BIN = join(REPO, '.venv', 'bin')

/** A real salt-master and one salt-minion on 127.0.0.1 (own ports, temp dirs), for orchestrate. */
export interface LoopbackMaster {
  /** Runs a `salt-run` function with --out=json; returns the exit status and the parsed output. */
  run(args: readonly string[], timeoutMs?: number): { status: number; data: unknown; stderr: string }
  /** `salt-run fileserver.update` and a pillar refresh, after the tree changed. */
  refresh(): void
  stop(): void
}

/** Starts both daemons (foreground children) and waits until the minion answers a ping. */
export async function startLoopbackMaster(opts: {
  dir: string
  tree: string
  minionId: string
  grains: Record<string, unknown>
}): Promise<LoopbackMaster> {
  const base = 40000 + Math.floor(Math.random() * 10000)
  const [publish, ret] = [base, base + 1]
  const masterConf = join(opts.dir, 'conf-master')
  const minionConf = join(opts.dir, 'conf-minion')
  const m = join(opts.dir, 'master-root')
  const n = join(opts.dir, 'minion-root')
  const common = { log_level_logfile: 'warning', user: 'root' }
  mkdirSync(masterConf, { recursive: true })
  writeFileSync(
    join(masterConf, 'master'),
    JSON.stringify({
      ...common,
      interface: '127.0.0.1',
      publish_port: publish,
      ret_port: ret,
      auto_accept: true,
      root_dir: m,
      pki_dir: join(m, 'pki'),
      cachedir: join(m, 'cache'),
      sock_dir: join(m, 'sock'),
      pidfile: join(m, 'master.pid'),
      log_file: join(m, 'master.log'),
      file_roots: { base: [join(opts.tree, 'salt')] },
      pillar_roots: { base: [join(opts.tree, 'pillar')] },
      pillar_mask_output: false,
    }),
  )
  mkdirSync(minionConf, { recursive: true })
  writeFileSync(
    join(minionConf, 'minion'),
    JSON.stringify({
      ...common,
      id: opts.minionId,
      master: '127.0.0.1',
      master_port: ret,
      publish_port: publish,
      root_dir: n,
      pki_dir: join(n, 'pki'),
      cachedir: join(n, 'cache'),
      sock_dir: join(n, 'sock'),
      pidfile: join(n, 'minion.pid'),
      log_file: join(n, 'minion.log'),
      grains: opts.grains,
      acceptance_wait_time: 1,
    }),
  )
  const children: ChildProcess[] = [
    spawn(join(BIN, 'salt-master'), ['-c', masterConf, '-l', 'quiet'], { stdio: 'ignore', detached: true }),
  ]
  await new Promise((r) => setTimeout(r, 2000))
  children.push(
    spawn(join(BIN, 'salt-minion'), ['-c', minionConf, '-l', 'quiet'], { stdio: 'ignore', detached: true }),
  )
  const salt = (tool: string, args: readonly string[], timeoutMs = 120_000) => {
    const run = spawnSync(join(BIN, tool), ['-c', masterConf, '--out=json', '--out-indent=-1', ...args], {
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
  // each daemon leads its own process group: kill the whole group, workers included
  const stop = () => {
    for (const child of children) {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }
  process.once('exit', stop)
  for (let i = 0; i < 60; i++) {
    const ping = salt('salt', [opts.minionId, 'test.ping', '--timeout=5'], 20_000)
    if (ping.status === 0 && (ping.data as Record<string, unknown>)?.[opts.minionId] === true) {
      return {
        run: (args, timeoutMs) => salt('salt-run', args, timeoutMs),
        refresh: () => {
          salt('salt-run', ['fileserver.update'])
          salt('salt', [opts.minionId, 'saltutil.refresh_pillar'])
        },
        stop,
      }
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
  stop()
  throw new Error('the loopback salt-minion never answered the salt-master')
}
