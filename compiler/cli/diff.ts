import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type DiffFormat, formatDiff } from '../../machine/diff-report.ts'
import { checkoutRevision } from '../../machine/git-worktree.ts'
import { type MachineTarget, renderMachine } from '../../machine/render-machine.ts'
import { diffMachine, type MachineDiff } from '../../machine/tree-diff.ts'
import { compile } from '../compile.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { buildTree, saltPython } from './operate-options.ts'
import { report } from './report.ts'

export const command: Command = {
  summary:
    'What a change does per machine, as Salt renders both builds: states added, removed and changed (arguments, requisites, SLS), pillar keys changed. Against a git revision of the config (built in a temporary worktree) or a built tree.',
  usage:
    'dsl diff [REV | DIR] [ENTRY] [--machine ID | --all] [--format text|markdown|json] [--no-typecheck]   (exit 0: no difference, 1: differences)',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      machine: { type: 'string' },
      all: { type: 'boolean', default: false },
      format: { type: 'string', default: 'text' },
      'no-typecheck': { type: 'boolean', default: false },
    })
    const format = values.format as DiffFormat
    if (!['text', 'markdown', 'json'].includes(format))
      throw new CliError(`unknown --format '${values.format}' (text, markdown or json)`)
    if (values.machine !== undefined && values.all)
      throw new CliError('--machine and --all exclude each other')
    const from = positionals[0] ?? 'HEAD'
    const entry = positionals[1] ?? 'config'
    const python = saltPython(entry)
    const typecheck = !values['no-typecheck']
    const scratch = mkdtempSync(join(tmpdir(), 'salt-dsl-diff-'))
    try {
      // the working tree's build, and the machines of its inventory
      const built = await buildTree(entry, join(scratch, 'new'), typecheck)
      if (built !== 0) return built
      const next = realpathSync(join(scratch, 'new'))
      const compiled = await compile({
        entry,
        outDir: join(scratch, 'unused'),
        typecheck: false,
        emit: false,
      })
      if (report(compiled.diagnostics, undefined) !== 0) return 1
      let targets: (MachineTarget & { label: string })[] = (compiled.resolution?.machines ?? [])
        .filter((m) => m.machine !== undefined)
        .map((m) => ({ id: m.id, grains: m.grains as Record<string, unknown>, label: m.id }))
      if (targets.length === 0) targets = [{ label: 'this host' }]
      if (values.machine !== undefined) {
        targets = targets.filter((t) => t.id === values.machine)
        if (targets.length === 0) throw new CliError(`no machine '${values.machine}' in the inventory`)
      }

      // the other side: a built tree, or the revision built in a temporary worktree
      let before: string
      const isTree = existsSync(from) && statSync(from).isDirectory() && existsSync(join(from, 'salt'))
      if (isTree) before = realpathSync(from)
      else {
        const wt = join(scratch, 'worktree')
        const { checkout, error } = await checkoutRevision(resolve(entry), from, wt)
        if (checkout === undefined) throw new CliError(`cannot build ${from}: ${error}`)
        try {
          const code = await buildTree(checkout.at(resolve(entry)), join(scratch, 'old'), typecheck)
          if (code !== 0) return code
        } finally {
          await checkout.remove()
        }
        before = realpathSync(join(scratch, 'old'))
      }

      const secret = secretKeys(next)
      const diffs: MachineDiff[] = []
      for (const [i, t] of targets.entries()) {
        const [a, b] = await Promise.all([
          renderMachine(before, t, { python, scratch: join(scratch, `render-${i}-a`) }),
          renderMachine(next, t, { python, scratch: join(scratch, `render-${i}-b`) }),
        ])
        const d = diffMachine(t.label, a, b, secret)
        diffs.push({ ...d, errors: [...a.errors.map((e) => `${from}: ${e}`), ...b.errors] })
      }
      process.stdout.write(formatDiff(diffs, format, from))
      const any = diffs.some(
        (d) => d.added.length + d.removed.length + d.changed.length + d.pillar.length > 0,
      )
      return any ? 1 : 0
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  },
}

/**
 * Pillar keys to mask: those the manifest marks secret (`secret_pillar_keys`, `a:b` paths and their
 * children), and any value that is a gpg message (a secret, left encrypted by the render).
 */
function secretKeys(tree: string): (key: string, value?: unknown) => boolean {
  let keys: string[] = []
  try {
    const m = JSON.parse(readFileSync(join(tree, 'manifest.json'), 'utf8')) as {
      secret_pillar_keys?: string[]
    }
    keys = m.secret_pillar_keys ?? []
  } catch {
    // no manifest: nothing marked
  }
  return (key, value) =>
    (typeof value === 'string' && value.includes('-----BEGIN PGP MESSAGE-----')) ||
    keys.some((k) => key === k || key.startsWith(`${k}:`))
}
