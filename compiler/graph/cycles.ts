import type { RequisiteKind } from '../../dsl/ir.ts'

/** An edge `before → after`: Salt runs (or tests) `before` first. */
export interface Edge {
  readonly before: number
  readonly after: number
  /** The requisite that made the edge (`states[state].requisites[index]`), for locating diagnostics. */
  readonly state: number
  readonly index: number
}

/** The edge a state's requisite makes (one flat object of one shape: there is one per requisite). */
export function requisiteEdge(kind: RequisiteKind, state: number, target: number, index: number): Edge {
  const { before, after } = orient(kind, state, target)
  return { before, after, state, index }
}

const REVERSED = new Map<string, boolean>()

/**
 * Which way a requisite orders its two states. `A require B` runs B first; the `_in` forms turn it around;
 * `A prereq B` runs A first (when B would change). `use` orders nothing, but a `use` loop is never what was
 * meant either, so it counts like `require`.
 */
export function orient(
  kind: RequisiteKind,
  owner: number,
  target: number,
): { before: number; after: number } {
  let reversed = REVERSED.get(kind)
  if (reversed === undefined) {
    const base = kind.replace(/_in$|_any$/, '')
    reversed = kind.endsWith('_in') !== (base === 'prereq')
    REVERSED.set(kind, reversed)
  }
  return reversed ? { before: owner, after: target } : { before: target, after: owner }
}

/** Every elementary cycle's witness: one cycle per strongly connected component (Tarjan), as edge lists. */
export function findCycles(nodeCount: number, edges: readonly Edge[]): Edge[][] {
  const out: Edge[][] = Array.from({ length: nodeCount }, () => [])
  for (const e of edges) out[e.before]?.push(e)
  const index = new Int32Array(nodeCount).fill(-1)
  const low = new Int32Array(nodeCount)
  const onStack = new Uint8Array(nodeCount)
  const stack: number[] = []
  const components: number[][] = []
  let counter = 0
  for (let root = 0; root < nodeCount; root++) {
    if (index[root] !== -1) continue
    // iterative Tarjan: frames of [node, next edge position]
    const frames: [number, number][] = [[root, 0]]
    index[root] = low[root] = counter++
    stack.push(root)
    onStack[root] = 1
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!
      const [v, i] = frame
      const edge = out[v]![i]
      if (edge !== undefined) {
        frame[1] = i + 1
        const w = edge.after
        if (index[w] === -1) {
          index[w] = low[w] = counter++
          stack.push(w)
          onStack[w] = 1
          frames.push([w, 0])
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!)
        }
        continue
      }
      frames.pop()
      const parent = frames[frames.length - 1]
      if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!)
      if (low[v] === index[v]) {
        const component: number[] = []
        let w: number
        do {
          w = stack.pop()!
          onStack[w] = 0
          component.push(w)
        } while (w !== v)
        const selfLoop = out[v]!.some((e) => e.after === v)
        if (component.length > 1 || selfLoop) components.push(component)
      }
    }
  }
  return components.map((c) => witness(c, out))
}

/** A shortest cycle through the component's smallest node (BFS inside the component). */
function witness(component: readonly number[], out: readonly Edge[][]): Edge[] {
  const members = new Set(component)
  const start = Math.min(...component)
  const via = new Map<number, Edge>()
  const queue = [start]
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!
    for (const e of out[v]!) {
      if (!members.has(e.after)) continue
      if (e.after === start) {
        const path = [e]
        for (let n = v; n !== start; n = via.get(n)!.before) path.unshift(via.get(n)!)
        return path
      }
      if (!via.has(e.after)) {
        via.set(e.after, e)
        queue.push(e.after)
      }
    }
  }
  return []
}
