import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startFleet } from '../fleet/daemons.ts'

/** A real salt-master and one salt-minion on 127.0.0.1 (own ports, temp dirs), for orchestrate. */
export interface LoopbackMaster {
  /** Runs a `salt-run` function with --out=json; returns the exit status and the parsed output. */
  run(args: readonly string[], timeoutMs?: number): { status: number; data: unknown; stderr: string }
  /** `salt-run fileserver.update` and a pillar refresh, after the tree changed. */
  refresh(): void
  stop(): void
}

/**
 * Starts the fleet's test master serving `tree` (keys auto-accepted) and one minion with `grains`, and
 * waits until the minion answers a ping.
 */
export async function startLoopbackMaster(opts: {
  dir: string
  tree: string
  minionId: string
  grains: Record<string, unknown>
}): Promise<LoopbackMaster> {
  // no emitted master.d: the tree's roots are the master's own settings
  const masterD = join(opts.dir, 'no-master.d')
  mkdirSync(masterD, { recursive: true })
  const fleet = await startFleet({
    dir: opts.dir,
    masterD,
    master: {
      auto_accept: true,
      file_roots: { base: [join(opts.tree, 'salt')] },
      pillar_roots: { base: [join(opts.tree, 'pillar')] },
    },
  })
  fleet.startMinion(opts.minionId, { grains: opts.grains })
  const { salt, stop } = fleet
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
