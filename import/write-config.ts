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

/** What one translated SLS's source names beyond itself. */
interface Uses {
  readonly sls: Set<string>
  readonly externals: Set<string>
  readonly shipped: Set<string>
}

/**
 * Each translated SLS's source, in order, with the variable it is declared as, the external() handles they
 * name and what each names beyond itself: a state of another translated SLS is that SLS's returned handle
 * (a thunk when it is declared further down), one of hand-written Salt an external() declared before them
 * all.
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
  const externals = new Map<string, { v: string; text: string; shipped?: string }>()
  const uses: Uses[] = []
  const shippedOf = (expression: string) => expression.split('.')[0] as string
  const sources = translated.map((t, i) => {
    const v = ownSls.get(t.name) as string
    const use: Uses = { sls: new Set(), externals: new Set(), shipped: new Set() }
    uses.push(use)
    const later = (sls: string) => (position.get(sls) ?? -1) >= i
    return t.source(v, {
      ref: (_kind, key, sls) => {
        const other = byName.get(sls)
        if (other !== undefined) {
          use.sls.add(sls)
          const handle = `${ownSls.get(sls)}.${other.exported.get(key)}`
          return later(sls) ? `() => ${handle}` : handle
        }
        let x = externals.get(key)
        if (x === undefined) {
          const [module, id] = key.split(/\|(.*)/s) as [string, string]
          let name = handleName(module, id)
          while ([...taken(), ...[...externals.values()].map((e) => e.v)].includes(name)) name = `${name}_`
          const where = slsHandle(sls, shipped, new Map())
          x = {
            v: name,
            text: `export const ${name} = external(${where ?? tsString(sls)}, ${tsString(module)}, ${tsString(id)})`,
            ...(where === undefined ? {} : { shipped: shippedOf(where) }),
          }
          externals.set(key, x)
        }
        use.externals.add(x.v)
        return x.v
      },
      // an SLS declared further down by its name: its handle does not exist yet
      include: (sls) => {
        if (byName.has(sls)) {
          if (later(sls)) return `{ sls: ${tsString(sls)} }`
          use.sls.add(sls)
          return ownSls.get(sls) as string
        }
        const h = slsHandle(sls, shipped, new Map())
        if (h === undefined) return tsString(sls)
        use.shipped.add(shippedOf(h))
        return h
      },
    })
  })
  return { ownSls, sources, uses, externals: [...externals.values()] }
}

/**
 * The translated SLS grouped into modules: one per SLS, except SLS that name each other both ways (a cycle of
 * handles or includes), which share one (an ES module cycle would read a handle before it is declared).
 * Each group in declaration order, the groups in the order of their first SLS.
 */
function modules(translated: readonly TranslatedSls[], uses: readonly Uses[]): number[][] {
  const index = new Map(translated.map((t, i) => [t.name, i]))
  const edges = uses.map((u) => [...u.sls].flatMap((n) => (index.has(n) ? [index.get(n) as number] : [])))
  // Tarjan's strongly connected components
  const order: number[] = new Array(translated.length).fill(-1)
  const low: number[] = new Array(translated.length).fill(0)
  const stack: number[] = []
  const on = new Set<number>()
  const groups: number[][] = []
  let next = 0
  const visit = (v: number) => {
    order[v] = low[v] = next++
    stack.push(v)
    on.add(v)
    for (const w of edges[v] ?? []) {
      if (order[w] === -1) {
        visit(w)
        low[v] = Math.min(low[v] as number, low[w] as number)
      } else if (on.has(w)) low[v] = Math.min(low[v] as number, order[w] as number)
    }
    if (low[v] !== order[v]) return
    const group: number[] = []
    let w: number
    do {
      w = stack.pop() as number
      on.delete(w)
      group.push(w)
    } while (w !== v)
    groups.push(group.sort((a, b) => a - b))
  }
  for (let v = 0; v < translated.length; v++) if (order[v] === -1) visit(v)
  return groups.sort((a, b) => (a[0] as number) - (b[0] as number))
}

/** A module's file name for SLS `name`: `states/<name>.ts`, its characters kept where a file name takes them. */
const moduleFile = (name: string) => `states/${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.ts`

/** Formats TypeScript source the way the config's files are written (ts-morph, two spaces, no semicolons). */
function formatted(path: string, statements: readonly string[]): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
  })
  const file = project.createSourceFile(path, '')
  for (const statement of statements) file.addStatements(statement)
  file.formatText({ indentSize: 2, semicolons: 'remove' as never })
  return file.getFullText()
}

const sortNames = (names: Iterable<string>) =>
  [...new Set(names)].sort((a, b) => a.replace('type ', '').localeCompare(b.replace('type ', '')))

const importLine = (names: Iterable<string>, from: string) =>
  `import { ${sortNames(names).join(', ')} } from '${from}'`

/**
 * The config's files (path under the config root → TypeScript): `index.ts` (profiles and the inventory),
 * `pillar.ts` (the schema and layers), `shipped.ts` (the hand-written Salt as saltDir() handles, and the
 * external() handles on its states that TypeScript names) and one `states/<sls>.ts` per translated SLS.
 * `missing` collects SLS of the top no shipped directory holds.
 */
export function writeConfigFiles(plan: ConfigPlan, missing: Set<string>): Map<string, string> {
  const files = new Map<string, string>()
  const { common, own } = splitPillar(plan.renders)
  const vars = new Map(plan.shipped.map((s) => [s.name, varName(s.name)]))
  const linked = linkedSources(plan.translated, vars)
  const hasPillar = plan.renders.some((r) => Object.keys(r.pillar).length > 0)

  // pillar.ts: every machine is in the one environment `imported`, whose layer holds what all have alike
  const pillar: string[] = []
  if (hasPillar) {
    pillar.push(importLine(['pillarSchema', 'z'], 'salt-dsl'))
    pillar.push(`const { layer } = pillarSchema(${inferSchema(plan.renders.map((r) => r.pillar))})`)
    pillar.push(`layer('environments/imported', ${tsLiteral(common)})`)
    for (const o of own)
      if (Object.keys(o.data).length > 0) pillar.push(`layer('machines/${o.id}', ${tsLiteral(o.data)})`)
  } else {
    pillar.push(importLine(['layer'], 'salt-dsl'))
    pillar.push(`layer('environments/imported', {})`)
  }
  files.set('pillar.ts', formatted('pillar.ts', [PILLAR_NOTE, ...pillar]))

  // shipped.ts: the hand-written Salt, and the states of it that translated SLS name
  if (plan.shipped.length > 0 || linked.externals.length > 0) {
    const shipped = [
      importLine(
        [
          ...(plan.shipped.length > 0 ? ['saltDir'] : []),
          ...(linked.externals.length > 0 ? ['external'] : []),
        ],
        'salt-dsl',
      ),
      ...plan.shipped.map(
        (s) => `export const ${vars.get(s.name)} = saltDir(${tsString(s.path)}, { as: ${tsString(s.name)} })`,
      ),
      ...linked.externals.map((x) => x.text),
    ]
    files.set('shipped.ts', formatted('shipped.ts', [SHIPPED_NOTE, ...shipped]))
  }

  // one module per translated SLS (SLS naming each other both ways share one)
  const fileOf = new Map<string, string>()
  const groups = modules(plan.translated, linked.uses)
  for (const group of groups) {
    // SLS sharing a module: named after the outermost (`users` for users and users.user_files)
    const names = group.map((i) => (plan.translated[i] as TranslatedSls).name)
    const path = moduleFile([...names].sort((a, b) => a.length - b.length || a.localeCompare(b))[0] as string)
    for (const name of names) fileOf.set(name, path)
  }
  for (const group of groups) {
    const members = group.map((i) => plan.translated[i] as TranslatedSls)
    const path = fileOf.get((members[0] as TranslatedSls).name) as string
    const names = new Set(['sls'])
    for (const t of members) {
      for (const n of t.imports) names.add(n)
      if (t.perPlatform) names.add('byPlatform')
    }
    const statements = [importLine(names, 'salt-dsl')]
    const fromShipped = new Set<string>()
    const fromModules = new Map<string, Set<string>>()
    for (const i of group) {
      const use = linked.uses[i] as Uses
      for (const x of use.externals) fromShipped.add(x)
      for (const v of use.shipped) fromShipped.add(v)
      for (const sls of use.sls) {
        const other = fileOf.get(sls)
        if (other === undefined || other === path) continue
        fromModules.set(other, (fromModules.get(other) ?? new Set()).add(linked.ownSls.get(sls) as string))
      }
    }
    if (fromShipped.size > 0) statements.push(importLine(fromShipped, '../shipped.ts'))
    for (const [other, vs] of [...fromModules].sort(([a], [b]) => a.localeCompare(b)))
      statements.push(importLine(vs, `./${other.slice('states/'.length)}`))
    for (const i of group) statements.push(linked.sources[i] as string)
    files.set(path, formatted(path, statements))
  }

  // index.ts: the pillar, the profiles (one per distinct state top, named after the first machine that has
  // it) and the inventory
  const index: string[] = [INDEX_NOTE]
  const profiles = new Map<string, { name: string; v: string }>()
  const machines: string[] = []
  const fromShipped = new Set<string>()
  const fromModules = new Map<string, Set<string>>()
  const profileLines: string[] = []
  for (const r of plan.renders) {
    const key = JSON.stringify(r.top)
    let p = profiles.get(key)
    if (p === undefined) {
      const handles = r.top.flatMap((sls) => {
        const h = slsHandle(sls, vars, linked.ownSls)
        if (h === undefined) {
          missing.add(sls)
          return []
        }
        const module = fileOf.get(sls)
        if (module !== undefined)
          fromModules.set(
            module,
            (fromModules.get(module) ?? new Set()).add(linked.ownSls.get(sls) as string),
          )
        else fromShipped.add(h.split('.')[0] as string)
        return [h]
      })
      const name = profiles.size === 0 ? 'imported' : `imported-${r.machine.id}`
      p = { name, v: varName(`${name.replace(/-/g, '_')}Profile`) }
      profiles.set(key, p)
      profileLines.push(`const ${p.v} = profile('${p.name}', { sls: [${handles.join(', ')}] })`)
    }
    const platform = plan.platforms.get(r.machine.id) ?? 'debian'
    machines.push(
      `${tsKey(r.machine.id)}: { platform: '${platform}', environment: 'imported', profile: ${p.v} },`,
    )
  }
  index.push(importLine(['inventory', 'profile'], 'salt-dsl'))
  index.push(`import './pillar.ts'`)
  if (fromShipped.size > 0) index.push(importLine(fromShipped, './shipped.ts'))
  // every SLS module, in declaration order: those no profile names declare their SLS too
  for (const group of groups) {
    const path = fileOf.get((plan.translated[group[0] as number] as TranslatedSls).name) as string
    const vs = fromModules.get(path)
    index.push(vs === undefined ? `import './${path}'` : importLine(vs, `./${path}`))
  }
  index.push(...profileLines)
  index.push(`inventory({\n  machines: {\n    ${machines.join('\n    ')}\n  },\n})`)
  files.set('index.ts', formatted('index.ts', index))
  return files
}

const INDEX_NOTE =
  '// Imported from a Salt tree by `dsl import salt`: the state top as Salt rendered it for each machine, as\n' +
  '// profiles and the inventory. The SLS written as TypeScript are in states/, the hand-written Salt shipped\n' +
  '// as it is in shipped.ts (see IMPORT-REPORT.md for why each is kept).'
const PILLAR_NOTE =
  '// The pillar as Salt rendered it for each machine: a schema inferred from all of them, what they share\n// as the layer of the environment `imported`, the rest per machine.'
const SHIPPED_NOTE =
  '// The hand-written Salt of the imported tree, shipped as it is, and the states of it that TypeScript names.'
