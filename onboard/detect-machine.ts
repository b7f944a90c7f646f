import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { error, type StageResult } from '../compiler/diagnostics.ts'
import { writeMinionConfig } from '../compiler/salt/minion-config.ts'
import { saltCall } from '../compiler/salt/salt-call.ts'
import { hostId } from '../machine/run-salt.ts'
import { type DetectedMachine, platformOfGrains } from './platform-of-grains.ts'

/**
 * This machine as the pinned Salt sees it: `salt-call --local grains.items` on a throw-away minion config
 * (nothing written under /etc/salt), with the id `dsl apply` will use.
 */
export async function detectMachine(python: string): Promise<StageResult<DetectedMachine | undefined>> {
  const scratch = mkdtempSync(join(tmpdir(), 'salt-dsl-grains-'))
  try {
    const conf = join(scratch, 'conf')
    writeMinionConfig(conf, {
      ...hostId(),
      fileRoot: join(scratch, 'salt'),
      pillarRoot: join(scratch, 'pillar'),
      root: join(scratch, 'root'),
    })
    const run = await saltCall({ python, confDir: conf, fun: 'grains.items', tmpDir: scratch })
    const grains = run.data
    if (run.code !== 0 || grains === null || typeof grains !== 'object' || Array.isArray(grains)) {
      const d = error(
        'DSL7008',
        `Salt could not read this machine's grains (salt-call exited ${run.code})`,
        undefined,
        {
          hint: `${run.stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}; pass --platform and an ID to skip the detection`,
        },
      )
      return { value: undefined, diagnostics: [d] }
    }
    return platformOfGrains(grains as Record<string, unknown>)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
