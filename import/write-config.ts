// The TypeScript config of an imported tree, written with ts-morph: the pillar as a zod schema and layers,
// the shipped Salt as saltDir() handles, the state top as profiles and the inventory.
import { IndentationText, Project, QuoteKind } from 'ts-morph'
import { inferSchema } from './infer-schema.ts'
import { handleName, tsKey, tsLiteral, tsString } from './literal.ts'
import type { MachineRender } from './salt-renders.ts'
import type { TranslatedSls } from './translate-sls.ts'

/** What the config declares, decided by the importer. */
export interface ConfigPlan {
  /** Shipped directories: the variable, the path under the config root and the salt:// name. */
  readonly shipped: readonly { readonly name: string; readonly path: string }[]
  readonly renders: readonly MachineRender[]
  /** SLS written as TypeScript. */
  readonly translated: readonly TranslatedSls[]
  /** Per machine, its platform (salt-dsl's word for the grains it was rendered with). */
  readonly platforms: ReadonlyMap<string, string>
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/
// keywords, and the names the config imports (a builder, `sls`, `profile`, ...)
const RESERVED = new Set(
  ['z', 'pillar', 'default', 'delete', 'new', 'function', 'import', 'export', 'class'].concat(
    ['pkg', 'service', 'user', 'group', 'cmd', 'file', 'git', 'cron', 'archive', 'pkgrepo', 'state', 'sls'],
    ['layer', 'profile', 'inventory', 'saltDir', 'byPlatform', 'pillarSchema', 'external', 'when', 'grains'],
  ),
)

function varName(name: string): string {
  const camel = name.replace(/[-.]([a-z0-9])/gi, (_, c: string) => c.toUpperCase())
  const safe = IDENT.test(camel) ? camel : `_${camel.replace(/[^A-Za-z0-9_$]/g, '_')}`
  return RESERVED.has(safe) ? `${safe}Sls` : safe
}

const isEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The pillar's top-level keys split into those every machine has alike and each machine's own. */
function splitPillar(renders: readonly MachineRender[]) {
  const keys = [...new Set(renders.flatMap((r) => Object.keys(r.pillar)))]
  const common: Record<string, unknown> = {}
  for (const k of keys) {
    const first = renders[0]?.pillar[k]
    if (renders.every((r) => k in r.pillar && isEqual(r.pillar[k], first))) common[k] = first
  }
  const own = renders.map((r) => ({
    id: r.machine.id,
    data: Object.fromEntries(Object.entries(r.pillar).filter(([k]) => !(k in common))),
  }))
  return { common, own }
}

/** The SLS handle expression for SLS `sls`, or undefined when no shipped directory holds it. */
function slsHandle(
  sls: string,
  shipped: ReadonlyMap<string, string>,
  own: ReadonlyMap<string, string>,
): string | undefined {
  const translated = own.get(sls)
  if (translated !== undefined) return translated
  const [head = '', ...rest] = sls.split('.')
  const v = shipped.get(head)
  if (v === undefined) return undefined
  return rest.length === 0 ? v : `${v}.sls(${tsString(rest.join('.'))})`
}

/**
 * Each translated SLS's source, in order, with the variable it is declared as, and the external() handles
 * they name: a state of another translated SLS is that SLS's returned handle (a thunk when it is declared
 * further down), one of hand-written Salt an external() declared before them all.
 */
function linkedSources(translated: readonly TranslatedSls[], shipped: ReadonlyMap<string, string>) {
  const ownSls = new Map<string, string>()
  const taken = () => [...shipped.values(), ...ownSls.values()]
  for (const t of translated) {
    let v = varName(t.name)
    while (taken().includes(v)) v = `${v}_`
    ownSls.set(t.name, v)
  }
  const position = new Map(translated.map((t, i) => [t.name, i]))
  const byName = new Map(translated.map((t) => [t.name, t]))
  const externals = new Map<string, { v: string; text: string }>()
  const sources = translated.map((t, i) => {
    const v = ownSls.get(t.name) as string
    const later = (sls: string) => (position.get(sls) ?? -1) >= i
    return t.source(v, {
      ref: (_kind, key, sls) => {
        const other = byName.get(sls)
        if (other !== undefined) {
          const handle = `${ownSls.get(sls)}.${other.exported.get(key)}`
          return later(sls) ? `() => ${handle}` : handle
        }
        let x = externals.get(key)
        if (x === undefined) {
          const [module, id] = key.split(/\|(.*)/s) as [string, string]
          let name = handleName(module, id)
          while ([...taken(), ...[...externals.values()].map((e) => e.v)].includes(name)) name = `${name}_`
          const where = slsHandle(sls, shipped, new Map()) ?? tsString(sls)
          x = { v: name, text: `const ${name} = external(${where}, ${tsString(module)}, ${tsString(id)})` }
          externals.set(key, x)
        }
        return x.v
      },
      // an SLS declared further down by its name: its handle does not exist yet
      include: (sls) =>
        byName.has(sls)
          ? later(sls)
            ? `{ sls: ${tsString(sls)} }`
            : (ownSls.get(sls) as string)
          : (slsHandle(sls, shipped, new Map()) ?? tsString(sls)),
    })
  })
  return { ownSls, sources, externals: [...externals.values()].map((x) => x.text) }
}

/** The config's `index.ts` source; `missing` collects SLS of the top no shipped directory holds. */
export function writeConfigSource(plan: ConfigPlan, missing: Set<string>): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
  })
  const file = project.createSourceFile('index.ts', '')
  file.addStatements(
    '// Imported from a Salt tree by `dsl import salt`: the pillar and the state top as Salt rendered them\n' +
      '// for each machine, the hand-written Salt shipped as it is (see IMPORT-REPORT.md).',
  )
  const { common, own } = splitPillar(plan.renders)
  const vars = new Map(plan.shipped.map((s) => [s.name, varName(s.name)]))
  const linked = linkedSources(plan.translated, vars)
  const hasPillar = plan.renders.some((r) => Object.keys(r.pillar).length > 0)
  const names = [
    'inventory',
    'profile',
    ...(plan.shipped.length > 0 ? ['saltDir'] : []),
    ...(hasPillar ? ['pillarSchema', 'z'] : ['layer']),
    ...(plan.translated.length > 0 ? ['sls'] : []),
    ...new Set(plan.translated.flatMap((t) => t.imports)),
    ...(plan.translated.some((t) => t.perPlatform) ? ['byPlatform'] : []),
    ...(linked.externals.length > 0 ? ['external'] : []),
  ]
  file.addImportDeclaration({
    moduleSpecifier: 'salt-dsl',
    namedImports: names.sort((a, b) => a.replace('type ', '').localeCompare(b.replace('type ', ''))),
  })

  if (hasPillar) {
    const schema = inferSchema(plan.renders.map((r) => r.pillar))
    file.addStatements(`const { layer } = pillarSchema(${schema})`)
    // every machine is in the one environment `imported`: what all of them have alike is its layer
    file.addStatements(`layer('environments/imported', ${tsLiteral(common)})`)
    for (const o of own)
      if (Object.keys(o.data).length > 0)
        file.addStatements(`layer('machines/${o.id}', ${tsLiteral(o.data)})`)
  }

  if (!hasPillar) file.addStatements(`layer('environments/imported', {})`)

  for (const s of plan.shipped)
    file.addStatements(
      `const ${vars.get(s.name)} = saltDir(${tsString(s.path)}, { as: ${tsString(s.name)} })`,
    )
  // states of hand-written Salt that translated SLS name
  for (const x of linked.externals) file.addStatements(x)
  for (const source of linked.sources) file.addStatements(source)
  const ownSls = linked.ownSls

  // one profile per distinct state top, named after the first machine that has it
  const profiles = new Map<string, { name: string; v: string }>()
  const machines: string[] = []
  for (const r of plan.renders) {
    const key = JSON.stringify(r.top)
    let p = profiles.get(key)
    if (p === undefined) {
      const handles = r.top.flatMap((sls) => {
        const h = slsHandle(sls, vars, ownSls)
        if (h === undefined) missing.add(sls)
        return h === undefined ? [] : [h]
      })
      const name = profiles.size === 0 ? 'imported' : `imported-${r.machine.id}`
      p = { name, v: varName(`${name.replace(/-/g, '_')}Profile`) }
      profiles.set(key, p)
      file.addStatements(`const ${p.v} = profile('${p.name}', { sls: [${handles.join(', ')}] })`)
    }
    const platform = plan.platforms.get(r.machine.id) ?? 'debian'
    machines.push(
      `${tsKey(r.machine.id)}: { platform: '${platform}', environment: 'imported', profile: ${p.v} },`,
    )
  }
  file.addStatements(`inventory({\n  machines: {\n    ${machines.join('\n    ')}\n  },\n})`)
  file.formatText({ indentSize: 2, semicolons: 'remove' as never })
  return file.getFullText()
}
