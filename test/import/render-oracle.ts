// The real Salt as the import tests' oracle: one warm minion per test file, and what a tree renders to.
import { afterAll, beforeAll } from 'vitest'
import { SaltOracle } from '../support/salt.ts'

/** Salt's render of a tree for one machine: its highstate and its pillar. */
export interface TreeRender {
  readonly highstate: unknown
  readonly pillar: unknown
}

/** Starts the oracle before the file's tests (stopped after them) and returns a renderer of trees. */
export function useRenderOracle(): (
  id: string,
  grains: Record<string, unknown>,
  fileRoot: string,
  pillarRoot: string,
) => Promise<TreeRender> {
  let oracle: SaltOracle | undefined
  beforeAll(async () => {
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle?.close()
  })
  return async (id, grains, fileRoot, pillarRoot) => {
    const spec = { id, grains, fileRoot, pillarRoot }
    const high = await oracle!.call(spec, 'state.show_highstate')
    const items = await oracle!.call(spec, 'pillar.items')
    return { highstate: high.data, pillar: items.data }
  }
}
