// The in-process stages after load, imported when a build starts: their modules (the catalog, the argument
// schemas, zod) then initialise while esbuild bundles the config instead of before.
export { emitTree } from './emit/emit-tree.ts'
export { buildGraph } from './graph/build-graph.ts'
export { emitPillarTree, resolveStage } from './resolve/resolve.ts'
