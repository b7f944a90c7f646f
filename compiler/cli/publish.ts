import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { listGenerations, lockPublishRoot, publishTree, servePublished } from '../../fleet/publish.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { fleetOf, masterTools, refreshFileServer } from './fleet.ts'
import { buildTree } from './operate-options.ts'

export const command: Command = {
  summary:
    'Build and publish the tree to the directory the salt-master serves: a new generation, switched to in one rename.',
  usage: 'dsl publish [ENTRY] [--out DIR] [--to DIR] [--generation N] [--no-typecheck] [--salt-config DIR]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      out: { type: 'string', default: 'out' },
      to: { type: 'string' },
      generation: { type: 'string' },
      'no-typecheck': { type: 'boolean', default: false },
      'salt-config': { type: 'string' },
    })
    const entry = positionals[0] ?? 'config'
    const out = resolve(values.out)
    if (values.generation !== undefined) {
      // serve an earlier published generation again: a rollback of what the master serves
      const root = resolve(values.to ?? fleetOf(out).publishRoot)
      const n = Number(values.generation)
      const lock = await lockPublishRoot(root, waiting)
      let served: boolean
      try {
        served = servePublished(root, n)
      } finally {
        lock.release()
      }
      if (!served)
        throw new CliError(
          `no published generation '${values.generation}' in ${root} (there are: ${listGenerations(root).join(', ') || 'none'})`,
        )
      await refreshIfMaster(values['salt-config'], entry)
      process.stdout.write(`the master serves generation ${n} of ${root} again\n`)
      return 0
    }
    const built = await buildTree(entry, out, !values['no-typecheck'])
    if (built !== 0) return built
    const root = resolve(values.to ?? fleetOf(out).publishRoot)
    const p = await publishTree(out, root, { onWait: waiting })
    await refreshIfMaster(values['salt-config'], entry)
    process.stdout.write(
      p.switched
        ? `published generation ${p.generation}: ${root}/current → generations/${p.generation}\n`
        : `unchanged: ${root}/current already serves this tree (generation ${p.generation})\n`,
    )
    return 0
  },
}

/** Another publisher holds the publish root: said once, on stderr (stdout stays the outcome). */
const waiting = (why: string) => process.stderr.write(`dsl publish: ${why}…\n`)

/** With a master config at hand (flag, DSL_SALT_CONFIG or /etc/salt), its file list is refreshed now. */
async function refreshIfMaster(flag: string | undefined, entry: string) {
  const tools = masterTools(flag, entry)
  if (existsSync(resolve(tools.configDir, 'master'))) await refreshFileServer(tools)
}
