// Reporting: JSON reports in ops:reports:dir, written by Salt's file.managed from Jinja templates.
import { type SlsHandle, type StateHandle, sls, state, text } from 'salt-dsl'
import type { Declared, Target, Val } from './derive.ts'
import { COMPLIANCE, INVENTORY, STATUS } from './report-templates.ts'
import { opsPillar as p } from './schema.ts'

const entry = (t: Target) => ({ state: t.state.id, conditional: t.state.when.length > 0 })
/** The names a package target stands for: a lookup of a whole list, else a list of the one name. */
const names = (t: Target): Val => (t.list === true ? t.name : [t.name])

/** One report file: the template rendered with `context` when Salt applies it (mode 0640, root-only dir). */
function report(name: string, template: string, context: Record<string, unknown>): StateHandle {
  return state('file.managed', {
    id: `report: ${name}`,
    name: text`${p.ops.reports.dir}/${name}.json`,
    contents: template,
    template: 'jinja',
    context: { profile: p.profile, ...context },
    makedirs: true,
    dir_mode: '0750',
    mode: '0640',
    order: 'last',
  })
}

export function reportingSls(
  found: Declared,
): Record<'inventory' | 'status' | 'compliance' | 'all', SlsHandle> {
  const packages = found.packages.map((t) => ({ names: names(t), ...entry(t) }))
  const managed = [
    ...found.files.map((t) => ({ path: t.name, kind: 'file', target: null, ...entry(t) })),
    ...found.symlinks.map((t) => ({ path: t.name, kind: 'symlink', target: t.target, ...entry(t) })),
    ...found.directories.map((t) => ({ path: t.name, kind: 'directory', target: null, ...entry(t) })),
  ]
  const services = found.services.filter((s) => s.running).map((t) => ({ name: t.name, ...entry(t) }))
  const inventory = sls('reporting.inventory', () => {
    report('inventory', INVENTORY, { packages })
  })
  const status = sls('reporting.status', () => {
    report('status', STATUS, {
      managed,
      services,
      reports_dir: p.ops.reports.dir,
      updates_ttl: p.ops.reports.updates_ttl_min,
    })
  })
  const compliance = sls('reporting.compliance', () => {
    report('compliance', COMPLIANCE, {
      packages,
      managed,
      services,
      profiles: p.ops.compliance.profiles,
      required: p.ops.compliance.required_packages,
      backups_enabled: p.user.backup_existing_configs,
      auto_update: p.packages.auto_update,
    })
  })
  const all = sls('reporting', () => {}, {
    doc: 'Reports (JSON) of the machine: packages, managed files, services, updates, compliance. Run after an apply.',
    include: [inventory, status, compliance],
  })
  return { inventory, status, compliance, all }
}
