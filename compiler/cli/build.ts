import { resolve } from 'node:path'
import { compile } from '../compile.ts'
import { stageTree, WriteRefused } from '../write/write-tree.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
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
    const staged = await stageTree(outDir).catch((thrown: unknown) => {
      throw thrown instanceof WriteRefused ? new CliError(thrown.message, 1) : thrown
    })
    let result: Awaited<ReturnType<typeof compile>>
    try {
      result = await compile({ entry, outDir, typecheck: !values['no-typecheck'], onFile: staged.put })
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
    await staged.commit(result.tree)
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
  },
}
