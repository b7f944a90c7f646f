import { existsSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { intoFreshDir } from '../../import/fresh-dir.ts'
import { importDotfiles } from '../../import/import-dotfiles.ts'
import { importPackages } from '../../import/import-packages.ts'
import { shareText } from '../../import/import-report.ts'
import { importSalt } from '../../import/import-salt.ts'
import type { ImportMachine } from '../../import/salt-renders.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { saltPython } from './operate-options.ts'
import { report } from './report.ts'

function machineArg(text: string): ImportMachine {
  const eq = text.indexOf('=')
  const id = eq < 0 ? text : text.slice(0, eq)
  if (id === '') throw new CliError(`--machine '${text}': give ID or ID=GRAINS_JSON`)
  if (eq < 0) return { id, grains: {} }
  try {
    const grains: unknown = JSON.parse(text.slice(eq + 1))
    if (grains === null || typeof grains !== 'object' || Array.isArray(grains))
      throw new Error('not an object')
    return { id, grains: grains as Record<string, unknown> }
  } catch (thrown) {
    throw new CliError(`--machine ${id}: the grains are not a JSON object (${(thrown as Error).message})`)
  }
}

export const command: Command = {
  summary:
    "What you have, as a salt-dsl config. A Salt tree: Salt renders it for each machine given; the pillar becomes a zod schema and layers, the top file profiles and the inventory, SLS Salt renders alike everywhere (values per os as byPlatform, states some machines lack under when(), states differing beyond values once per group of machines under when() on their os or minion ID) typed builder calls (pkg(), service(), file(), ...) or state() where no builder emits the state exactly, the rest shipped as hand-written Salt (saltDir), each with its reason in IMPORT-REPORT.md. A dotfiles directory: dotfile() calls. This machine's packages: a typed list.",
  usage:
    "dsl import salt SALT_DIR [--pillar PILLAR_DIR] --to CONFIG_DIR [--machine ID=GRAINS_JSON ...] [--format json]\n       dsl import packages --to FILE.ts   (this machine's installed packages: pkg.list_pkgs, narrowed by apt-mark showmanual)\n       dsl import dotfiles DIR --to CONFIG_DIR [--user NAME]   (plain, GNU stow or chezmoi layout)",
  async run(argv) {
    const { values, positionals } = parse(argv, {
      pillar: { type: 'string' },
      to: { type: 'string' },
      machine: { type: 'string', multiple: true },
      format: { type: 'string' },
      user: { type: 'string' },
    })
    const [what, dir] = positionals
    if (what === 'packages') return packages(values.to, values.format)
    if (what === 'dotfiles') return dotfiles(dir, values.to, values.user, values.format)
    if (what !== 'salt') throw new CliError(`unknown import '${what ?? ''}' (salt, dotfiles or packages)`)
    if (dir === undefined || values.to === undefined) throw new CliError(`usage: ${command.usage}`)
    const to = resolve(values.to)
    const machines = (values.machine ?? []).map(machineArg)
    // written beside `to` and moved into place whole (fresh-dir.ts)
    let code = 0
    const value = await intoFreshDir(to, async (scratch) => {
      const result = await importSalt({
        python: saltPython(dir),
        saltRoot: resolve(dir),
        ...(values.pillar === undefined ? {} : { pillarRoot: resolve(values.pillar) }),
        to: scratch,
        machines: machines.length > 0 ? machines : [{ id: 'imported', grains: {} }],
      })
      report(result.diagnostics, values.format)
      code = result.diagnostics.some((d) => d.severity === 'error') ? 1 : 0
      return result.value
    })
    if (value === undefined) return 1
    const kept = value.notes.filter((n) => n.outcome === 'kept').length
    process.stdout.write(
      `wrote ${join(to, 'index.ts')}: ${machines.length || 1} machine(s), ${kept} SLS kept as hand-written Salt (IMPORT-REPORT.md)\n`,
    )
    for (const s of value.shares) process.stdout.write(`  ${s.machine}: ${shareText(s)}\n`)
    return code
  },
}

async function packages(to: string | undefined, format: string | undefined): Promise<number> {
  if (to === undefined) throw new CliError('usage: dsl import packages --to FILE.ts')
  if (existsSync(to)) throw new CliError(`'${to}' exists`)
  const result = await importPackages(saltPython('.'))
  const code = report(result.diagnostics, format)
  if (result.value === undefined) return code === 0 ? 1 : code
  writeFileSync(resolve(to), result.value.source)
  const how = result.value.manualFrom === undefined ? '' : ` installed by hand (${result.value.manualFrom})`
  process.stdout.write(
    `wrote ${to}: ${result.value.names.length} packages${how} of this ${result.value.os} machine\n`,
  )
  return 0
}

function dotfiles(
  dir: string | undefined,
  to: string | undefined,
  user: string | undefined,
  format: string | undefined,
) {
  if (dir === undefined || to === undefined)
    throw new CliError('usage: dsl import dotfiles DIR --to CONFIG_DIR')
  const target = resolve(to)
  return intoFreshDir(target, (scratch) => {
    const result = importDotfiles(resolve(dir), scratch, user ?? process.env.USER ?? 'root')
    report(result.diagnostics, format)
    return Promise.resolve(result.value)
  }).then((v) => {
    if (v === undefined) return 1
    process.stdout.write(
      `wrote ${join(target, 'index.ts')}: ${v.files} dotfile(s) from a ${v.layout} layout\n`,
    )
    return 0
  })
}
