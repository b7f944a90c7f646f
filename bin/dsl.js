#!/usr/bin/env node
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
if (!existsSync(cli)) {
  process.stderr.write(
    'dsl: the CLI is not built; run `bash scripts/setup.sh` (or `npm run build:cli`) first\n',
  )
  process.exit(2)
}
const { main } = await import(cli)
process.exitCode = await main(process.argv.slice(2))
