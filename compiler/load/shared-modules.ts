import * as zod from 'zod'
import * as dsl from '../../dsl/index.ts'

/**
 * Modules handed to the config from the CLI's own copy instead of being compiled (or loaded from
 * node_modules) and initialised again with every build: the authoring API, and zod (whose start-up alone
 * cost 50 ms per 20k-state build). The config and the compiler then share one of each; the builders'
 * records live in the session, which every load starts afresh.
 */
export const SHARED: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['salt-dsl', Object.freeze({ __esModule: true, ...dsl })],
  ['zod', Object.freeze({ __esModule: true, ...zod })],
])
