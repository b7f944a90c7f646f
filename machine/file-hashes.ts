import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { writeMinionConfig } from '../compiler/salt/minion-config.ts'
import { saltCall } from '../compiler/salt/salt-call.ts'

/**
 * The sha256 of each file on the machine, read by Salt (`file.get_hash`, all in one `state.high` run of
 * `module.run` states, so one salt-call for any number of files). A missing file has no entry.
 */
export async function fileHashes(
  paths: readonly string[],
  o: { readonly python: string; readonly scratch: string },
): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  if (paths.length === 0) return out
  const conf = join(o.scratch, 'conf-hashes')
  const empty = join(o.scratch, 'hashes-roots')
  mkdirSync(empty, { recursive: true })
  writeMinionConfig(conf, { fileRoot: empty, pillarRoot: empty, root: join(o.scratch, 'root-hashes') })
  const high: Record<string, unknown> = {}
  paths.forEach((path, i) => {
    high[`hash ${i}`] = { module: ['run', { 'file.get_hash': [{ path }] }] }
  })
  const run = await saltCall({
    python: o.python,
    confDir: conf,
    fun: 'state.high',
    args: [JSON.stringify(high)],
    tmpDir: join(o.scratch, 'tmp'),
  })
  if (run.data === null || typeof run.data !== 'object' || Array.isArray(run.data)) return out
  for (const r of Object.values(run.data as Record<string, Record<string, unknown>>)) {
    const i = Number(String(r.__id__).slice('hash '.length))
    const hash = (r.changes as Record<string, unknown> | undefined)?.['file.get_hash']
    const path = paths[i]
    if (r.result === true && typeof hash === 'string' && path !== undefined) out.set(path, hash)
  }
  return out
}
