import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { defaultStateDir } from '../../machine/generation-store.ts'
import { ALERT_KINDS, type AlertConfig, conditions, sendAlerts } from '../../report/alerts.ts'
import { DEFAULT_REPORTS, fleetStores, selectMachines } from '../../report/fleet-status.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { jsonFormat } from './operate-options.ts'

export const command: Command = {
  summary:
    'Send the alerts of new conditions (a failed apply, drift, a failed compliance check, available updates) by the rules of an alerts config in TypeScript; each condition once.',
  usage:
    'dsl alerts --config FILE.ts [--machine ID | --fleet] [--store DIR]... [--reports DIR] [--out DIR] [--salt-config DIR] [--dry-run] [--format json]',
  async run(argv) {
    const { values } = parse(argv, {
      config: { type: 'string' },
      machine: { type: 'string' },
      fleet: { type: 'boolean', default: false },
      store: { type: 'string', multiple: true },
      reports: { type: 'string' },
      out: { type: 'string', default: 'out' },
      'salt-config': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      format: { type: 'string' },
    })
    const json = jsonFormat(values.format)
    if (values.config === undefined) throw new CliError('--config FILE.ts is required')
    const config = loadAlertConfig(values.config)
    const stores = values.store?.length ? values.store : [defaultStateDir()]
    const machines = selectMachines({
      // --fleet: the per-machine stores the fleet runs recorded on the master too (a minion's failed apply)
      stores: values.fleet ? fleetStores(stores, defaultStateDir()) : stores,
      reports: values.reports ?? DEFAULT_REPORTS,
      fleet: values.fleet,
      ...(values.machine !== undefined ? { machine: values.machine } : {}),
    })
    const alerts = machines.flatMap(conditions)
    // with a salt-master: the minions' scheduled drift checks, from its job cache (docs/fleet.md)
    if (values.fleet) {
      const { fleetCheckAlerts } = await import('./fleet.ts')
      alerts.push(...(await fleetCheckAlerts(resolve(values.out), values['salt-config'])))
    }
    // the state of the last alerts lives in the first store (the one of the machine that sends them)
    const { fresh, sent } = await sendAlerts(stores[0]!, alerts, config, values['dry-run'])
    if (json) process.stdout.write(`${JSON.stringify({ active: alerts, fresh, sent }, null, 2)}\n`)
    else {
      for (const a of fresh) process.stdout.write(`new: [${a.kind}] ${a.message}\n`)
      for (const s of sent) if (!s.ok) process.stdout.write(`failed to send by ${s.via}: ${s.error}\n`)
      process.stdout.write(
        `${alerts.length} condition(s), ${fresh.length} new, ${sent.filter((s) => s.ok).length} sent${values['dry-run'] ? ' (dry run: nothing sent)' : ''}\n`,
      )
    }
    return sent.some((s) => !s.ok) ? 1 : 0
  },
}

/** Loads the alerts config: a TypeScript (or JSON) module whose default export is an AlertConfig. */
function loadAlertConfig(file: string): AlertConfig {
  const path = resolve(file)
  const require = createRequire(import.meta.url)
  let value: unknown
  if (path.endsWith('.json')) value = require(path)
  else {
    const esbuild = require('esbuild') as typeof import('esbuild')
    const built = esbuild.buildSync({
      entryPoints: [path],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      write: false,
      logLevel: 'silent',
      external: ['salt-dsl'],
    })
    const mod = { exports: {} as Record<string, unknown> }
    new Function('module', 'exports', 'require', built.outputFiles[0]!.text)(
      mod,
      mod.exports,
      createRequire(path),
    )
    value = mod.exports.default ?? mod.exports
  }
  const rules = (value as { rules?: unknown })?.rules
  if (!Array.isArray(rules)) throw new CliError(`${file}: its default export has no 'rules' array`)
  for (const [i, r] of rules.entries()) {
    const on = (r as { on?: unknown }).on
    if (!Array.isArray(on) || on.some((k) => !ALERT_KINDS.includes(k)))
      throw new CliError(`${file}: rule ${i + 1}: 'on' lists the kinds ${ALERT_KINDS.join(', ')}`)
  }
  return value as AlertConfig
}
