import { createHash } from 'node:crypto'
import type { Program, Target, TopEntry } from '../../dsl/ir.ts'
import type { Graph } from '../graph/build-graph.ts'
import { emitSls, slsPath } from './emit-sls.ts'
import { emitYaml, type YamlNode } from './yaml.ts'

/** Everything emit needs beyond the graph. */
export interface EmitInput {
  readonly graph: Graph
  /** Where out/ will live, for the minion config snippet. */
  readonly outDir: string
  /** Config-tree files to ship, by their path under out/salt/. */
  readonly assets: ReadonlyMap<string, Uint8Array>
  readonly sourceHash: string
  /** Makes an origin's file relative for the manifest. */
  readonly relativize: (file: string) => string
  /** Extra files from later stages (pillar, orchestrate, ...), by path under out/. */
  readonly extra?: ReadonlyMap<string, string>
}

export type Tree = Map<string, string | Uint8Array>

export const GENERATOR = 'salt-dsl 0.1.0'

/** IR → the complete tree: `salt/`, `pillar/`, `minion.d/`, `manifest.json`. Pure: the same input gives the same bytes. */
export function emitTree(input: EmitInput): Tree {
  const { graph } = input
  const files: Tree = new Map()
  const names = new Set(graph.sls.keys())
  for (const name of [...names].sort()) files.set(`salt/${slsPath(name, names)}`, emitSls(name, graph))
  files.set('salt/top.sls', emitTop(graph.program.top))
  for (const [path, bytes] of [...input.assets].sort(([a], [b]) => (a < b ? -1 : 1)))
    files.set(`salt/${path}`, bytes)
  if (!input.extra?.has('pillar/top.sls')) files.set('pillar/top.sls', '#!yaml\nbase: {}\n')
  for (const [path, text] of input.extra ?? []) files.set(path, text)
  // hashed before minion.d is added: that snippet names the out path, the rest depends on the input alone
  files.set('manifest.json', manifest(files, graph.program, input))
  files.set('minion.d/salt-dsl.conf', minionConf(input.outDir))
  return files
}

function targetKey(t: Target): { key: string; match?: string } {
  if (t.match === 'glob') return { key: t.pattern }
  if (t.match === 'grain') return { key: `${t.grain}:${t.value}`, match: 'grain' }
  return { key: t.expression, match: 'compound' }
}

/** The state top file; entries for the same target merge (a YAML key may appear once). */
export function emitTop(entries: readonly TopEntry[]): string {
  const base: Record<string, YamlNode[]> = {}
  for (const e of entries) {
    const { key, match } = targetKey(e.target)
    const list: YamlNode[] = base[key] ?? (match ? [{ match }] : [])
    for (const name of e.sls) if (!list.includes(name)) list.push(name)
    base[key] = list
  }
  return `#!yaml\n${emitYaml({ base }, { jinja: false })}`
}

function minionConf(outDir: string): string {
  const body = emitYaml(
    {
      file_client: 'local',
      file_roots: { base: [`${outDir}/salt`] },
      pillar_roots: { base: [`${outDir}/pillar`] },
      state_output: 'changes',
    },
    { jinja: false },
  )
  return `# Masterless minion settings for this tree: copy into /etc/salt/minion.d/ (or a -c config dir).\n${body}`
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')

/** JSON with one file and one state per line: compact at 100k states, and still diff-friendly. */
function manifest(files: Tree, program: Program, input: EmitInput): string {
  const hashes = [...files.keys()]
    .sort()
    .map((path) => `    ${JSON.stringify(path)}: "${sha256(files.get(path)!)}"`)
  const relative = new Map<string, string>()
  const states = program.states.map((s) => {
    const { file, line, column } = s.origin
    const rel = relative.get(file) ?? input.relativize(file)
    relative.set(file, rel)
    const entry = { sls: s.sls, function: `${s.module}.${s.fun}`, file: rel, line, column }
    return `    ${JSON.stringify(s.id)}: ${JSON.stringify(entry)}`
  })
  const block = (lines: string[]) => (lines.length === 0 ? '{}' : `{\n${lines.join(',\n')}\n  }`)
  const head = `  "generator": ${JSON.stringify(GENERATOR)},\n  "source": ${JSON.stringify(input.sourceHash)}`
  return `{\n${head},\n  "files": ${block(hashes)},\n  "states": ${block(states)}\n}\n`
}
