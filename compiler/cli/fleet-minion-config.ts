/** `dsl fleet minion-config ID --master HOST`: what `bootstrap.sh --master` writes to the new minion's minion.d/. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isPlatform, PLATFORMS } from '../../dsl/platform.ts'
import { minionJoin } from '../../fleet/minion-config.ts'
import { serviceModuleOptions } from '../../machine/service-module.ts'
import { detectMachine } from '../../onboard/detect-machine.ts'
import { compile } from '../compile.ts'
import { parse } from './args.ts'
import { CliError } from './cli-error.ts'
import { saltPython } from './operate-options.ts'
import { report } from './report.ts'

export const MINION_CONFIG_USAGE =
  'dsl fleet minion-config [ID] --master HOST [--master-port N] [--platform P] [--profile P] [--environment E] [--user U ...] [--root-dir DIR] [--config DIR]'

/**
 * Prints the minion settings (YAML) on stdout and one line on stderr saying whether the inventory has the
 * machine; exit 0 either way (a machine the inventory lacks may still ask to join: its key stays pending),
 * 1 when it cannot join as asked (reached otherwise than via the master, another platform).
 */
export async function minionConfig(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    master: { type: 'string' },
    'master-port': { type: 'string' },
    platform: { type: 'string' },
    profile: { type: 'string' },
    environment: { type: 'string' },
    user: { type: 'string', multiple: true },
    'root-dir': { type: 'string' },
    config: { type: 'string', default: 'config' },
  })
  if (values.master === undefined)
    throw new CliError(`which master? --master HOST\n\nusage: ${MINION_CONFIG_USAGE}`)
  const port = values['master-port'] === undefined ? undefined : Number(values['master-port'])
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw new CliError(`--master-port wants a TCP port, not '${values['master-port']}'`)
  if (values.platform !== undefined && !isPlatform(values.platform))
    throw new CliError(`unknown platform '${values.platform}' (one of ${PLATFORMS.join(', ')})`)
  let id = positionals[0]
  let platform = values.platform
  if (id === undefined || platform === undefined) {
    // this machine as Salt sees it: the id a minion would pick, its platform
    const found = await detectMachine(saltPython(values.config))
    if (found.value === undefined) return report(found.diagnostics, undefined) || 1
    id ??= found.value.id
    platform ??= found.value.platform
  }
  const scratch = mkdtempSync(join(tmpdir(), 'salt-dsl-join-'))
  try {
    const result = await compile({
      entry: values.config,
      outDir: join(scratch, 'out'),
      typecheck: false,
      emit: false,
    })
    if (report(result.diagnostics, undefined) !== 0) return 1
    const join_ = minionJoin(result.loaded?.program.pillar?.inventory, {
      id,
      platform,
      master: values.master,
      ...(port !== undefined ? { masterPort: port } : {}),
      ...(values['root-dir'] !== undefined ? { rootDir: values['root-dir'] } : {}),
      ...(values.profile !== undefined ? { profile: values.profile } : {}),
      ...(values.environment !== undefined ? { environment: values.environment } : {}),
      ...(values.user !== undefined ? { users: values.user } : {}),
      // the minion runs on this host: its services through init.d where systemd is installed but not PID 1
      options: serviceModuleOptions(),
    })
    if ('problem' in join_) {
      process.stderr.write(`${join_.problem}\n`)
      return 1
    }
    process.stdout.write(join_.text)
    process.stderr.write(`${join_.summary}\n`)
    return 0
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
