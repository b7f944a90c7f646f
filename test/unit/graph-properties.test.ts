import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { emitTree } from '../../compiler/emit/emit-tree.ts'
import { buildGraph } from '../../compiler/graph/build-graph.ts'
import { orient } from '../../compiler/graph/cycles.ts'
import { saltOrder } from '../../compiler/graph/requisite-order.ts'
import type { Program, RequisiteKind } from '../../dsl/ir.ts'
import { finishSession, resetSession } from '../../dsl/session.ts'
import { sls } from '../../dsl/sls.ts'
import { cmd } from '../../dsl/states/cmd.ts'

const KINDS: RequisiteKind[] = [
  'require',
  'watch',
  'onchanges',
  'onfail',
  'prereq',
  'listen',
  'require_in',
  'watch_in',
  'prereq_in',
  'onchanges_any',
  'use',
]

interface Spec {
  readonly size: number
  readonly edges: readonly { from: number; to: number; kind: RequisiteKind }[]
}

const specs = fc.integer({ min: 1, max: 9 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    edges: fc.array(
      fc.record({ from: fc.nat(size - 1), to: fc.nat(size - 1), kind: fc.constantFrom(...KINDS) }),
      { maxLength: 14 },
    ),
  }),
)

/** Builds the spec through the real builders (thunks allow any edge), across two SLS modules. */
function program(spec: Spec) {
  const s = resetSession()
  const handles: ReturnType<typeof cmd>[] = []
  const declare = (i: number) => {
    const own = spec.edges.filter((e) => e.from === i)
    const options: Record<string, unknown> = { creates: `/tmp/${i}` }
    for (const e of own) options[e.kind] = [...((options[e.kind] as unknown[]) ?? []), () => handles[e.to]!]
    handles[i] = cmd(`echo ${i}`, options)
  }
  sls('a', () => {
    for (let i = 0; i < spec.size; i += 2) declare(i)
  })
  sls('b', () => {
    for (let i = 1; i < spec.size; i += 2) declare(i)
  })
  return finishSession(s)
}

/** Reference: a cycle exists iff DFS over Salt's ordering graph (`before → after`) finds a back edge. */
function hasCycle(states: Program['states']): boolean {
  const { nodeCount, edges } = saltOrder(states)
  const next = new Map<number, number[]>()
  for (const e of edges) next.set(e.before, [...(next.get(e.before) ?? []), e.after])
  const color = new Array(nodeCount).fill(0)
  const visit = (v: number): boolean => {
    color[v] = 1
    for (const w of next.get(v) ?? []) {
      if (color[w] === 1 || (color[w] === 0 && visit(w))) return true
    }
    color[v] = 2
    return false
  }
  return [...Array(nodeCount).keys()].some((v) => color[v] === 0 && visit(v))
}

describe('graph properties', () => {
  it('reports a requisite cycle if and only if one exists', () => {
    fc.assert(
      fc.property(specs, (spec) => {
        const prog = program(spec)
        const graph = buildGraph(prog)
        const reported = graph.diagnostics.some((d) => d.code === 'DSL3002')
        expect(reported).toBe(hasCycle(prog.states))
      }),
      { numRuns: 500 },
    )
  })

  it('the emitted tree never references an ID that is not in it, and includes what it references', () => {
    fc.assert(
      fc.property(specs, (spec) => {
        const graph = buildGraph(program(spec))
        const tree = emitTree({
          graph: graph.value,
          outDir: '/o',
          assets: new Map(),
          sourceHash: '',
          relativize: (f) => f,
        })
        const ids = new Set(graph.value.states.map((s) => s.id))
        for (const [path, text] of tree) {
          if (!path.endsWith('.sls') || !path.startsWith('salt/') || path === 'salt/top.sls') continue
          for (const m of String(text).matchAll(/^ {6}- cmd: (.*)$/gm)) expect(ids.has(m[1]!)).toBe(true)
          const name = path.slice(5, -4)
          const refsOther = graph.value.states
            .filter((s) => s.sls === name)
            .some((s) => s.requisites.some((r) => graph.value.states[r.target]!.sls !== name))
          if (refsOther) expect(String(text)).toMatch(/^include:\n {2}- [ab]$/m)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('requisite direction (before → after)', () => {
  it.each([
    ['require', { before: 2, after: 1 }],
    ['watch_any', { before: 2, after: 1 }],
    ['require_in', { before: 1, after: 2 }],
    ['onchanges_in', { before: 1, after: 2 }],
    ['prereq', { before: 1, after: 2 }],
    ['prereq_in', { before: 2, after: 1 }],
  ] as const)('state 1 %s state 2', (kind, expected) => {
    expect(orient(kind, 1, 2)).toEqual(expected)
  })
})
