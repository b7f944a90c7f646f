// Bundles the CLI and the authoring API into dist/ (fast start-up: one file each).
import { build } from 'esbuild'

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
}
await Promise.all([
  build({
    ...common,
    entryPoints: { cli: 'compiler/cli/main.ts' },
    outdir: 'dist',
    external: ['esbuild', 'typescript'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  }),
  build({ ...common, entryPoints: { dsl: 'dsl/index.ts' }, outdir: 'dist' }),
])
