// What the real Salt makes of the original tree for each machine the user names: its state top and its
// merged pillar, and what each SLS whose `include:` Jinja decides includes there. The importer writes
// TypeScript from these renders, never from a guess at Jinja.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { writeMinionConfig } from '../compiler/salt/minion-config.ts'
import { saltCall } from '../compiler/salt/salt-call.ts'
import { includeReader, includesOn, renderedIncludes, type SlsIncludes } from './sls-includes.ts'
import { slsFile } from './translate-sls.ts'

/** A machine to render the tree for: its minion id and the grains it has (they override the host's). */
export interface ImportMachine {
  readonly id: string
  readonly grains: Readonly<Record<string, unknown>>
}

/** One machine's render of the original tree. */
export interface MachineRender {
  readonly machine: ImportMachine
  /** The SLS the state top gives the machine in `base`, in top-file order. */
  readonly top: readonly string[]
  readonly pillar: Readonly<Record<string, unknown>>
  /** `state.show_highstate`: each state ID's module, function, arguments, `__sls__`; undefined on errors. */
  readonly highstate?: Readonly<Record<string, unknown>>
  /** Why Salt could not render it, if it could not. */
  readonly error?: string
  /** What each SLS whose `include:` Jinja decides includes on this machine, as Salt renders its file here. */
  readonly includes?: ReadonlyMap<string, SlsIncludes>
}

async function call(python: string, conf: string, tmp: string, fun: string, args?: readonly string[]) {
  return saltCall({ python, confDir: conf, fun, tmpDir: tmp, ...(args === undefined ? {} : { args }) })
}

/**
 * One Jinja template rendering each SLS file (`sls` → its path under the file root) as Salt's state compiler
 * does (its renderer, the machine's grains and pillar, `sls` set) and giving each one's `include` value:
 * all in one salt-call, as each costs most of a second.
 */
function includesTemplate(files: ReadonlyMap<string, string>): string {
  const list = JSON.stringify([...files].map(([sls, path]) => [sls, `salt://${path}`]))
  return [
    '{%- set out = {} %}',
    `{%- for sls, path in ${list} %}`,
    "{%- set data = salt['slsutil.renderer'](path, default_renderer=opts['renderer'], saltenv='base', sls=sls) %}",
    "{%- do out.update({sls: data.get('include') if data is mapping else none}) %}",
    '{%- endfor %}',
    '{{ out | json }}',
  ].join('\n')
}

/** The `include` value of each SLS file in Salt's render on this machine; an error string when none renders. */
async function renderIncludes(
  python: string,
  conf: string,
  tmp: string,
  files: ReadonlyMap<string, string>,
): Promise<Map<string, unknown> | string> {
  // the template as a YAML string: salt-call reads each `key=value` argument as YAML
  const args = [`string=${JSON.stringify(includesTemplate(files))}`, 'default_renderer=jinja|json']
  const r = await call(python, conf, tmp, 'slsutil.renderer', args)
  if (r.code === 0 && r.data !== null && typeof r.data === 'object' && !Array.isArray(r.data))
    return new Map(Object.entries(r.data))
  return r.stderr.trim().split('\n').at(-1) || JSON.stringify(r.data)
}

/**
 * What the SLS whose `include:` Jinja decides include on one machine: Salt's walk from its top (each SLS,
 * then its includes depth first, none twice), rendering those files in batches as the walk reaches them.
 */
async function jinjaIncludes(
  python: string,
  conf: string,
  tmp: string,
  saltRoot: string,
  top: readonly string[],
  read: (file: string) => SlsIncludes,
): Promise<Map<string, SlsIncludes>> {
  const out = new Map<string, SlsIncludes>()
  const fileOf = (sls: string) => slsFile(saltRoot, sls)
  const includesOf = includesOn(fileOf, read, out)
  for (;;) {
    const pending = new Map<string, string>()
    const seen = new Set<string>()
    const visit = (sls: string) => {
      if (seen.has(sls)) return
      seen.add(sls)
      const file = fileOf(sls)
      if (file !== undefined && read(file).byJinja === true && !out.has(sls))
        pending.set(sls, relative(saltRoot, file).split(sep).join('/'))
      for (const n of includesOf(sls) ?? []) visit(n)
    }
    for (const sls of top) visit(sls)
    if (pending.size === 0) return out
    let rendered = await renderIncludes(python, conf, tmp, pending)
    // one file Salt cannot render fails the batch: each alone then, to tell which
    if (typeof rendered === 'string' && pending.size > 1) {
      const each = new Map<string, unknown>()
      for (const [sls, path] of pending) {
        const one = await renderIncludes(python, conf, tmp, new Map([[sls, path]]))
        each.set(sls, typeof one === 'string' ? new RenderError(one) : one.get(sls))
      }
      rendered = each
    }
    for (const sls of pending.keys()) {
      const data = typeof rendered === 'string' ? new RenderError(rendered) : rendered.get(sls)
      out.set(
        sls,
        data instanceof RenderError
          ? {
              includes: [],
              reasons: [`its include: is Jinja's, and Salt could not render the file: ${data.message}`],
            }
          : renderedIncludes(data),
      )
    }
  }
}

class RenderError {
  constructor(readonly message: string) {}
}

/** Renders `state.show_top` and `pillar.items` of the tree for each machine, one after the other. */
export async function renderMachines(
  python: string,
  saltRoot: string,
  pillarRoot: string,
  machines: readonly ImportMachine[],
): Promise<MachineRender[]> {
  const out: MachineRender[] = []
  const read = includeReader()
  for (const machine of machines) {
    const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-import-'))
    try {
      const conf = join(dir, 'conf')
      writeMinionConfig(conf, {
        id: machine.id,
        fileRoot: saltRoot,
        pillarRoot,
        root: join(dir, 'root'),
        grains: machine.grains,
        options: { pillar_mask_output: false },
      })
      const top = await call(python, conf, dir, 'state.show_top')
      const pillar = await call(python, conf, dir, 'pillar.items')
      const high = await call(python, conf, dir, 'state.show_highstate')
      const highstate =
        high.data !== null && typeof high.data === 'object' && !Array.isArray(high.data)
          ? (high.data as Record<string, unknown>)
          : undefined
      const base = (top.data as { base?: unknown } | undefined)?.base
      const items = (pillar.data ?? {}) as Record<string, unknown>
      const errors = items._errors
      const error =
        errors !== undefined
          ? `pillar: ${JSON.stringify(errors)}`
          : top.code !== 0 && !Array.isArray(base)
            ? `top: ${top.stderr.trim() || JSON.stringify(top.data)}`
            : undefined
      const topList = Array.isArray(base) ? base.map(String) : []
      const includes = await jinjaIncludes(python, conf, dir, saltRoot, topList, read)
      out.push({
        machine,
        top: topList,
        pillar: items,
        ...(highstate === undefined ? {} : { highstate }),
        ...(error === undefined ? {} : { error }),
        ...(includes.size === 0 ? {} : { includes }),
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return out
}
