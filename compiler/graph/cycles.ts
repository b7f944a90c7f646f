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
 * Which way a requisite orders its two states, as the emitter places them in a file: `A require B` runs B
 * first; the `_in` forms turn it around; `A prereq B` runs A first (when B would change); `use` and `listen`
 * put the state they name first too. Whether Salt finds a loop is another question, answered from Salt's
 * own ordering graph (requisite-order.ts).
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
  const out = outEdges(nodeCount, edges)
  const index = new Int32Array(nodeCount).fill(-1)
  const low = new Int32Array(nodeCount)
  const onStack = new Uint8Array(nodeCount)
  const stack = new Int32Array(nodeCount)
  let depth = 0
  // iterative Tarjan: a frame is a node and the position of its next edge
  const frameNode = new Int32Array(nodeCount)
  const frameNext = new Int32Array(nodeCount)
  const components: number[][] = []
  let counter = 0
  for (let root = 0; root < nodeCount; root++) {
    if (index[root] !== -1) continue
    let frames = 1
    frameNode[0] = root
    frameNext[0] = out.start[root]!
    index[root] = low[root] = counter++
    stack[depth++] = root
    onStack[root] = 1
    while (frames > 0) {
      const v = frameNode[frames - 1]!
      const next = frameNext[frames - 1]!
      if (next < out.start[v + 1]!) {
        frameNext[frames - 1] = next + 1
        const w = edges[out.order[next]!]!.after
        if (w < 0 || w >= nodeCount) continue
        if (index[w] === -1) {
          index[w] = low[w] = counter++
          stack[depth++] = w
          onStack[w] = 1
          frameNode[frames] = w
          frameNext[frames] = out.start[w]!
          frames++
        } else if (onStack[w] === 1) {
          low[v] = Math.min(low[v]!, index[w]!)
        }
        continue
      }
      frames--
      if (frames > 0) {
        const parent = frameNode[frames - 1]!
        low[parent] = Math.min(low[parent]!, low[v]!)
      }
      if (low[v] !== index[v]) continue
      if (stack[depth - 1] === v) {
        // a component of one node (nearly every state): a cycle only through an edge to itself
        depth--
        onStack[v] = 0
        if (out.edgesFrom(v).some((e) => e.after === v)) components.push([v])
        continue
      }
      const component: number[] = []
      let w: number
      do {
        w = stack[--depth]!
        onStack[w] = 0
        component.push(w)
      } while (w !== v)
      components.push(component)
    }
  }
  return components.map((c) => witness(c, out))
}

/** The edges by the node they leave, in the given order: one index array, a run per node. */
interface OutEdges {
  readonly start: Int32Array
  readonly order: Int32Array
  edgesFrom(node: number): readonly Edge[]
}

function outEdges(nodeCount: number, edges: readonly Edge[]): OutEdges {
  const inRange = (e: Edge) => e.before >= 0 && e.before < nodeCount
  const start = new Int32Array(nodeCount + 1)
  for (const e of edges) if (inRange(e)) start[e.before + 1]!++
  for (let i = 0; i < nodeCount; i++) start[i + 1]! += start[i]!
  const fill = start.slice(0, nodeCount)
  const order = new Int32Array(start[nodeCount]!)
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!
    if (inRange(e)) order[fill[e.before]!++] = i
  }
  const edgesFrom = (node: number): readonly Edge[] => {
    const list: Edge[] = []
    for (let j = start[node]!; j < start[node + 1]!; j++) list.push(edges[order[j]!]!)
    return list
  }
  return { start, order, edgesFrom }
}

/** A shortest cycle through the component's smallest node (BFS inside the component). */
function witness(component: readonly number[], out: OutEdges): Edge[] {
  const members = new Set(component)
  const start = component.reduce((a, b) => Math.min(a, b))
  const via = new Map<number, Edge>()
  const queue = [start]
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!
    for (const e of out.edgesFrom(v)) {
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
