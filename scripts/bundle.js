// Bundles the CLI and the authoring API into dist/ (fast start-up: one file each).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
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
  // CommonJS, so bin/dsl.js can compile it with V8's code cache (Node 20 has no module compile cache)
  build({
    ...common,
    format: 'cjs',
    entryPoints: { cli: 'compiler/cli/main.ts' },
    outExtension: { '.js': '.cjs' },
    outdir: 'dist',
    external: ['esbuild', 'typescript', 'ts-morph'],
    define: { 'import.meta.url': '__cliUrl' },
    banner: { js: "const __cliUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  build({ ...common, entryPoints: { dsl: 'dsl/index.ts' }, outdir: 'dist' }),
])

// Type declarations of the authoring API for projects that import 'salt-dsl' by name (their tsconfig need
// not allow `.ts` import extensions, which the sources use).
const tsDir = dirname(createRequire(import.meta.url).resolve('typescript/package.json'))
const native = join(
  tsDir,
  '..',
  '@typescript',
  `typescript-${process.platform}-${process.arch}`,
  'lib',
  'tsc',
)
const [cmd, args] = existsSync(native) ? [native, []] : [process.execPath, [join(tsDir, 'bin', 'tsc')]]
execFileSync(cmd, [...args, '-p', 'tsconfig.types.json'], { stdio: 'inherit' })
