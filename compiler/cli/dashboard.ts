import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize, resolve } from 'node:path'
import { type DriftCheck, readDriftChecks } from '../../fleet/drift-check.ts'
import { defaultStateDir } from '../../machine/generation-store.ts'
import { writeSite } from '../../report/dashboard-site.ts'
import { DEFAULT_REPORTS, fleetStores, isFleetStore, selectMachines } from '../../report/fleet-status.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { masterTools } from './fleet.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
}

export const command: Command = {
  summary:
    'A static HTML status site of this machine (or of every machine the stores hold, the fleet runs through the master included): last apply, drift, states at their TypeScript lines, files, packages, services, compliance, history.',
  usage:
    'dsl dashboard [--machine ID | --fleet] --out DIR [--store DIR]... [--reports DIR] [--salt-config DIR] [--serve [--port N]]',
  async run(argv) {
    const { values } = parse(argv, {
      machine: { type: 'string' },
      fleet: { type: 'boolean', default: false },
      out: { type: 'string' },
      store: { type: 'string', multiple: true },
      reports: { type: 'string' },
      'salt-config': { type: 'string' },
      serve: { type: 'boolean', default: false },
      port: { type: 'string', default: '8080' },
    })
    if (values.out === undefined) throw new CliError('--out DIR is required')
    if (values.fleet && values.machine !== undefined)
      throw new CliError('--machine and --fleet exclude each other')
    const given = values.store?.length ? values.store : [defaultStateDir()]
    for (const s of given) if (!existsSync(s)) throw new CliError(`no store at ${s}`, 1)
    const started = performance.now()
    const stores = values.fleet ? fleetStores(given, defaultStateDir()) : given
    // the minions' scheduled drift checks, from the master's job cache, once a fleet run was recorded
    const checks = values.fleet ? await scheduledChecks(stores, values['salt-config']) : undefined
    const machines = selectMachines({
      stores,
      reports: values.reports ?? DEFAULT_REPORTS,
      fleet: values.fleet,
      ...(values.machine !== undefined ? { machine: values.machine } : {}),
      ...(checks ? { checks } : {}),
    })
    const { pages, refused } = writeSite(values.out, machines, values.fleet)
    if (refused !== undefined) throw new CliError(refused, 1)
    const ms = performance.now() - started
    process.stdout.write(
      `wrote ${pages.length} page(s) for ${machines.length} machine(s) into ${values.out} in ${(ms / 1000).toFixed(2)} s\n`,
    )
    if (!values.serve) return 0
    return serve(resolve(values.out), Number(values.port))
  },
}

/**
 * The minions' last scheduled drift checks, from the master's job cache (one Python start), once a fleet run
 * was recorded here; none on a host that is no master (no `master` config, and no --salt-config).
 */
async function scheduledChecks(
  stores: readonly string[],
  flag: string | undefined,
): Promise<ReadonlyMap<string, DriftCheck> | undefined> {
  if (!stores.some(isFleetStore)) return undefined
  const configDir = resolve(flag ?? process.env.DSL_SALT_CONFIG ?? '/etc/salt')
  if (flag === undefined && !existsSync(join(configDir, 'master'))) return undefined
  const read = await readDriftChecks(masterTools(flag))
  if ('problem' in read) {
    // the page still shows each machine's applies: the checks' column says "not checked"
    process.stderr.write(`dsl dashboard: no scheduled drift checks: ${read.problem}\n`)
    return undefined
  }
  return read.checks
}

/** Serves the site on 127.0.0.1 only (it shows a machine's state to whoever can reach it) until killed. */
function serve(root: string, port: number): Promise<number> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port wants a port number`)
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path)
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(res)
  })
  return new Promise((done) => {
    server.listen(port, '127.0.0.1', () => {
      const a = server.address()
      process.stdout.write(
        `serving ${root} on http://127.0.0.1:${typeof a === 'object' && a ? a.port : port}/\n`,
      )
    })
    server.on('error', (e) => {
      process.stderr.write(`dsl dashboard: ${e.message}\n`)
      done(1)
    })
    process.once('SIGINT', () => server.close(() => done(0)))
    process.once('SIGTERM', () => server.close(() => done(0)))
  })
}
