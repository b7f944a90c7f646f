import { resolve } from 'node:path'
import { compile } from '../compile.ts'
import { openOut } from '../write/write-tree.ts'
import { parse } from './args.ts'
import type { Command } from './cli-error.ts'
import { report } from './report.ts'

export const command: Command = {
  summary:
    'Compile a config into a complete Salt tree (atomic: a failed build leaves the previous out/ as it was).',
  usage: 'dsl build [ENTRY] [--out DIR] [--watch] [--no-typecheck] [--timings] [--format json]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      out: { type: 'string', default: 'out' },
      watch: { type: 'boolean', default: false },
      'no-typecheck': { type: 'boolean', default: false },
      format: { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
      timings: { type: 'boolean', default: false },
    })
    const entry = positionals[0] ?? 'config'
    const outDir = resolve(values.out)
    if (values.watch) {
      const { watchBuild } = await import('./watch.ts')
      return watchBuild(entry, outDir)
    }
    const started = performance.now()
    const opened = await openOut(outDir)
    if (opened.value === undefined) return report(opened.diagnostics, values.format)
    const out = opened.value
    try {
      const staged = out.stage()
      let result: Awaited<ReturnType<typeof compile>>
      try {
        result = await compile({
          entry,
          outDir,
          typecheck: !values['no-typecheck'],
          onFile: staged.put,
          secrets: 'encrypt',
        })
      } catch (thrown) {
        await staged.discard()
        throw thrown
      }
      const code = report(result.diagnostics, values.format)
      if (result.tree === undefined || code !== 0) {
        await staged.discard()
        return 1
      }
      const writing = performance.now()
      const committed = await staged.commit(result.tree, result.modes)
      if (committed.diagnostics.length > 0) {
        report(committed.diagnostics, values.format)
        return 1
      }
      if (values.timings) {
        const laps = { ...result.timings, write: Math.round(performance.now() - writing) }
        process.stderr.write(
          `timings (ms): ${Object.entries(laps)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}\n`,
        )
      }
      if (!values.quiet && values.format !== 'json') {
        const ms = Math.round(performance.now() - started)
        const states = result.graph?.states.length ?? 0
        process.stdout.write(
          `built ${states} states, ${result.tree.size} files into ${values.out}/ in ${ms} ms\n`,
        )
      }
      return 0
    } finally {
      await out.close()
    }
  },
}
