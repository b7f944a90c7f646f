import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize, resolve } from 'node:path'
import { defaultStateDir } from '../../machine/generation-store.ts'
import { writeSite } from '../../report/dashboard-site.ts'
import { DEFAULT_REPORTS, selectMachines } from '../../report/fleet-status.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
}

export const command: Command = {
  summary:
    'A static HTML status site of this machine (or of every machine the stores hold): last apply, drift, states at their TypeScript lines, files, packages, services, compliance, history.',
  usage:
    'dsl dashboard [--machine ID | --fleet] --out DIR [--store DIR]... [--reports DIR] [--serve [--port N]]',
  async run(argv) {
    const { values } = parse(argv, {
      machine: { type: 'string' },
      fleet: { type: 'boolean', default: false },
      out: { type: 'string' },
      store: { type: 'string', multiple: true },
      reports: { type: 'string' },
      serve: { type: 'boolean', default: false },
      port: { type: 'string', default: '8080' },
    })
    if (values.out === undefined) throw new CliError('--out DIR is required')
    if (values.fleet && values.machine !== undefined)
      throw new CliError('--machine and --fleet exclude each other')
    const stores = values.store?.length ? values.store : [defaultStateDir()]
    for (const s of stores) if (!existsSync(s)) throw new CliError(`no store at ${s}`, 1)
    const started = performance.now()
    const machines = selectMachines({
      stores,
      reports: values.reports ?? DEFAULT_REPORTS,
      fleet: values.fleet,
      ...(values.machine !== undefined ? { machine: values.machine } : {}),
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
