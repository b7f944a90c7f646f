import * as zod from 'zod'

/**
 * Libraries the authoring API depends on, handed to the config from the CLI's own copy instead of being
 * bundled (or loaded from node_modules) and initialised again with every build: zod's start-up alone cost
 * 50 ms per 20k-state build and dominated watch rebuilds. The config and the compiler then share one zod.
 */
export const SHARED: ReadonlyMap<string, unknown> = new Map([
  ['zod', Object.freeze({ __esModule: true, ...zod })],
])
