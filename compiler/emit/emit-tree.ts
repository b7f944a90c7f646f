import { createHash } from 'node:crypto'
import type { Program, StateNode, Target, TopEntry } from '../../dsl/ir.ts'
import { secretsOfState } from '../../dsl/secret.ts'
import { follows, type Graph } from '../graph/build-graph.ts'
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
  /** Called with each SLS file as soon as it is emitted (the build writes it meanwhile). */
  readonly onFile?: (path: string, data: string) => void
  /** Called after every `every` states emitted (large configs collect garbage there). */
  readonly checkpoint?: { readonly every: number; readonly run: () => void }
  /** What the last emit of this config made (watch mode): SLS files whose inputs are the same are reused. */
  readonly cache?: EmitCache
}

/**
 * The SLS texts, file hashes and manifest rows of the last emit, for the next one (watch mode). An SLS
 * file the graph found clean (the same node, members and requisite targets as last time) is not emitted
 * again.
 */
export class EmitCache {
  /** The `build` of the graph the last emit was made from (a graph's `clean` is relative to the one before). */
  graph: number | undefined
  readonly sls = new Map<string, string>()
  readonly hashes = new Map<string, { readonly data: string | Uint8Array; readonly hash: string }>()
  /** Each state's manifest row by key, with its node and the index into `sources` it was made with. */
  rows: readonly ({ readonly node: StateNode; readonly source: number; readonly row: string } | undefined)[] =
    []
  /** The manifest's state rows joined, per run of ROW_CHUNK keys (a chunk of reused rows is reused whole). */
  chunks: readonly string[] = []
  /** Each chunk's UTF-8 bytes, with the text they were made from (the manifest is assembled from them). */
  chunkBytes: readonly ({ readonly text: string; readonly bytes: Buffer } | undefined)[] = []
  /** The manifest's `sources` lines, and each file's index into them. */
  sources: readonly string[] = []
  sourceIndex: ReadonlyMap<string, number> = new Map()
  /** SLS files emitted afresh by the last emit (the rest were reused). */
  emitted = 0
}

export type Tree = Map<string, string | Uint8Array>

export const GENERATOR = 'salt-dsl 0.1.0'

/** What each state row of the manifest holds (`source` indexes `sources`). */
/** `secret` (true, or absent) marks a state whose changes may hold a secret: no diff is shown or stored. */
export const STATE_FIELDS = ['sls', 'function', 'source', 'line', 'column', 'secret'] as const

/** IR → the complete tree: `salt/`, `pillar/`, `minion.d/`, `manifest.json`. Pure: the same input gives the same bytes. */
export function emitTree(input: EmitInput): Tree {
  const { graph } = input
  const files: Tree = new Map()
  const names = new Set(graph.sls.keys())
  let sinceCheckpoint = 0
  const cache = input.cache
  // what the graph found clean is clean against the graph before: the one this cache was emitted from?
  const followsCache = cache !== undefined && follows(graph, cache.graph)
  if (cache !== undefined) cache.emitted = 0
  const kept = new Map<string, string>()
  for (const name of [...names].sort()) {
    const path = `salt/${slsPath(name, names)}`
    let text: string
    if (cache === undefined) text = emitSls(name, graph)
    else {
      const last = followsCache && graph.clean?.has(name) ? cache.sls.get(name) : undefined
      if (last !== undefined) text = last
      else {
        text = emitSls(name, graph)
        cache.emitted++
      }
      kept.set(name, text)
    }
    files.set(path, text)
    input.onFile?.(path, text)
    sinceCheckpoint += graph.members.get(name)?.length ?? 0
    if (input.checkpoint && sinceCheckpoint >= input.checkpoint.every) {
      input.checkpoint.run()
      sinceCheckpoint = 0
    }
  }
  files.set('salt/top.sls', emitTop(graph.program.top))
  for (const [path, bytes] of [...input.assets].sort(([a], [b]) => (a < b ? -1 : 1)))
    files.set(`salt/${path}`, bytes)
  if (!input.extra?.has('pillar/top.sls')) files.set('pillar/top.sls', '#!yaml\nbase: {}\n')
  for (const [path, text] of input.extra ?? []) files.set(path, text)
  // hashed before minion.d is added: that snippet names the out path, the rest depends on the input alone
  if (cache !== undefined) {
    cache.sls.clear()
    for (const [name, text] of kept) cache.sls.set(name, text)
  }
  files.set('manifest.json', manifest(files, graph, input, followsCache))
  files.set('minion.d/salt-dsl.conf', minionConf(input.outDir))
  if (cache !== undefined) cache.graph = graph.build
  return files
}

function targetKey(t: Target): { key: string; match?: string } {
  if (t.match === 'glob') return { key: t.pattern }
  if (t.match === 'grain') return { key: `${t.grain}:${t.value}`, match: 'grain' }
  return { key: t.expression, match: 'compound' }
}

/** The state top file; entries for the same target merge (a YAML key may appear once). */
export function emitTop(entries: readonly TopEntry[]): string {
  // no prototype: a target is a key whatever its text (`__proto__` too)
  const base: Record<string, YamlNode[]> = Object.create(null)
  const seen = new Map<string, Set<string>>()
  for (const e of entries) {
    const { key, match } = targetKey(e.target)
    const list: YamlNode[] = base[key] ?? (match ? [{ match }] : [])
    const names = seen.get(key) ?? new Set()
    seen.set(key, names)
    for (const name of e.sls) {
      if (names.has(name)) continue
      names.add(name)
      list.push(name)
    }
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

/** Manifest rows per reusable chunk (watch mode). */
const ROW_CHUNK = 512

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')

/** A file's hash, reused when the file is the same string or buffer as last time. */
function hashOf(path: string, data: string | Uint8Array, cache: EmitCache | undefined): string {
  if (cache === undefined) return sha256(data)
  const last = cache.hashes.get(path)
  if (last !== undefined && last.data === data) return last.hash
  const hash = sha256(data)
  cache.hashes.set(path, { data, hash })
  return hash
}

/** One state's manifest row (`STATE_FIELDS`). */
function rowText(s: StateNode, source: number, quote: (text: string) => string): string {
  // an extend entry is its target's state, an external one hand-written Salt's: neither is a state this
  // tree applies (a plan maps Salt's results to the target's row; a prune must never undo them)
  if (s.extends !== undefined || s.external) return ''
  // joined, not concatenated: a flat string per row instead of a rope of eight (30 MB at 100k states)
  return [
    '    ',
    JSON.stringify(s.id),
    ': [',
    quote(s.sls),
    ', ',
    quote(`${s.module}.${s.fun}`),
    ', ',
    source,
    ', ',
    s.origin.line,
    ', ',
    s.origin.column,
    secretsOfState(s.args).length > 0 || s.args.show_changes === false ? ', true]' : ']',
  ].join('')
}

type Row = NonNullable<EmitCache['rows'][number]>

/**
 * The manifest's state rows after a graph that changed only some keys, from the last emit's (which was
 * made from the graph before): undefined when a changed state comes from another file (the sources and
 * their indexes would change).
 */
function changedRows(graph: Graph, cache: EmitCache): { rows: Row[]; chunks: string[] } | undefined {
  const { changed, states } = graph
  if (changed === undefined || cache.rows.length !== states.length) return undefined
  for (const k of changed) if (cache.rows[k]?.node.origin.file !== states[k]!.origin.file) return undefined
  const rows = cache.rows as Row[]
  const chunks = [...cache.chunks]
  const touched = new Set<number>()
  for (const k of changed) {
    const node = states[k]!
    const source = cache.sourceIndex.get(node.origin.file)!
    rows[k] = { node, source, row: rowText(node, source, JSON.stringify) }
    touched.add(Math.floor(k / ROW_CHUNK))
  }
  for (const c of touched) chunks[c] = chunkText(rows, c)
  return { rows, chunks }
}

/** Chunk `c` of the manifest's state rows, joined. */
function chunkText(rows: readonly Row[], c: number): string {
  const texts: string[] = []
  for (let k = c * ROW_CHUNK; k < Math.min(rows.length, (c + 1) * ROW_CHUNK); k++)
    if (rows[k]!.row !== '') texts.push(rows[k]!.row)
  return texts.join(',\n')
}

/**
 * JSON with one file and one state per line: diff-friendly, and compact at 100k states (a state is a row
 * of `STATE_FIELDS`; its source is an index into `sources`, so paths are not repeated per state).
 */
function manifest(files: Tree, graph: Graph, input: EmitInput, followsCache: boolean): string | Uint8Array {
  const program = graph.program
  const cache = input.cache
  const hashes = [...files.keys()]
    .sort()
    .map((path) => `    ${JSON.stringify(path)}: "${hashOf(path, files.get(path)!, cache)}"`)
  const block = (lines: readonly string[]) => (lines.length === 0 ? '{}' : `{\n${lines.join(',\n')}\n  }`)
  const list = (lines: readonly string[]) => (lines.length === 0 ? '[]' : `[\n${lines.join(',\n')}\n  ]`)
  const head = `  "generator": ${JSON.stringify(GENERATOR)},\n  "source": ${JSON.stringify(input.sourceHash)}`
  const fields = `  "state_fields": ${JSON.stringify(STATE_FIELDS)}`
  const quick = cache !== undefined && followsCache ? changedRows(graph, cache) : undefined
  let sources: readonly string[]
  let stateBlock: () => string
  if (quick !== undefined && cache !== undefined) {
    cache.rows = quick.rows
    cache.chunks = quick.chunks
    sources = cache.sources
    stateBlock = () => rowsBlock(quick.chunks)
  } else {
    const made = stateRows(program, input)
    sources = made.sources
    stateBlock = made.block
  }
  const body = `  "files": ${block(hashes)},\n  "sources": ${list(sources)},\n${fields},\n  "states": `
  if (cache === undefined || cache.chunks.length === 0) return `{\n${head},\n${body}${stateBlock()}\n}\n`
  return manifestBytes(`{\n${head},\n${body}{\n`, cache)
}

/** The states block from rows or chunks of rows (empty ones, extend and external entries, left out). */
function rowsBlock(parts: readonly string[]): string {
  const rows = parts.filter((text) => text !== '')
  return rows.length === 0 ? '{}' : `{\n${rows.join(',\n')}\n  }`
}

const ROW_SEPARATOR = Buffer.from(',\n')
const MANIFEST_END = Buffer.from('\n  }\n}\n')

/**
 * The manifest as bytes from the rows' chunks, each encoded once while its text stands (watch mode: of
 * 6 MB at 100k states a rebuild encodes the chunk that changed, not the whole text again; the same bytes
 * as the text).
 */
function manifestBytes(head: string, cache: EmitCache): Buffer {
  const known = cache.chunkBytes
  const made: { text: string; bytes: Buffer }[] = []
  const parts: Buffer[] = [Buffer.from(head)]
  let rows = 0
  cache.chunks.forEach((text) => {
    const last = known[made.length]
    const entry = last !== undefined && last.text === text ? last : { text, bytes: Buffer.from(text) }
    made.push(entry)
    if (text === '') return // a chunk of extend and external entries only
    if (rows++ > 0) parts.push(ROW_SEPARATOR)
    parts.push(entry.bytes)
  })
  parts.push(MANIFEST_END)
  cache.chunkBytes = made
  return Buffer.concat(parts)
}

/** Every state's row (the rows of nodes the last emit had at the same key and source reused), and the sources. */
function stateRows(program: Program, input: EmitInput): { sources: string[]; block: () => string } {
  const sources: string[] = []
  const sourceIndex = new Map<string, number>()
  const quoted = new Map<string, string>()
  const quote = (text: string) => {
    let q = quoted.get(text)
    if (q === undefined) {
      q = JSON.stringify(text)
      quoted.set(text, q)
    }
    return q
  }
  const cache = input.cache
  const rows = cache?.rows
  const made: Row[] | undefined = rows === undefined ? undefined : new Array(program.states.length)
  const count = program.states.length
  let chunkClean = true
  const chunks: string[] = []
  const lines = program.states.map((s, i) => {
    if (made !== undefined && i % ROW_CHUNK === 0) chunkClean = true
    const { file } = s.origin
    let source = sourceIndex.get(file)
    if (source === undefined) {
      source = sources.length
      sourceIndex.set(file, source)
      sources.push(`    ${JSON.stringify(input.relativize(file))}`)
    }
    const last = rows?.[s.key]
    const same = last !== undefined && last.node === s && last.source === source
    const row = same ? last.row : rowText(s, source, quote)
    if (!same) chunkClean = false
    if (made !== undefined) {
      made[s.key] = same ? last : { node: s, source, row }
      if (i % ROW_CHUNK === ROW_CHUNK - 1 || i === count - 1) {
        const c = Math.floor(i / ROW_CHUNK)
        const known = cache?.chunks[c]
        const whole = i % ROW_CHUNK === ROW_CHUNK - 1
        if (chunkClean && whole && known !== undefined) chunks.push(known)
        else chunks.push(chunkText(made, c))
      }
    }
    return row
  })
  if (cache !== undefined && made !== undefined) {
    cache.rows = made
    cache.chunks = chunks
    cache.sources = sources
    cache.sourceIndex = sourceIndex
  }
  const body = made === undefined || chunks.length === 0 ? lines : chunks
  return { sources, block: () => rowsBlock(body) }
}
