/** `dsl show pillar|top|grains --machine ID` and `dsl explain`: one machine as the compiler predicts it. */
import { relative, resolve } from 'node:path'
import { SECRET_ROOT } from '../../dsl/secret.ts'
import { MASK, secretsByMachine } from '../../secrets/secret-pillar.ts'
import { compile } from '../compile.ts'
import { emitYaml, type YamlNode } from '../emit/yaml.ts'
import type { Resolution, ResolvedMinion } from '../resolve/resolve.ts'
import { CliError } from './cli-error.ts'
import { report } from './report.ts'

/** Compiles `entry` and finds machine `id` (usage errors list the known machines). */
export async function loadMachine(
  entry: string,
  id: string | undefined,
): Promise<{ r: Resolution; m: ResolvedMinion } | number> {
  const result = await compile({ entry, outDir: resolve('out'), typecheck: false })
  if (report(result.diagnostics, undefined) !== 0 || result.resolution === undefined) return 1
  const r = result.resolution
  const known = r.machines.map((m) => m.id).join(', ') || 'none: the config has no inventory'
  if (id === undefined) throw new CliError(`which machine? pass --machine ID (known: ${known})`)
  const m = r.machines.find((x) => x.id === id)
  if (m === undefined) throw new CliError(`no machine '${id}' in the inventory (known: ${known})`, 1)
  return { r, m }
}

function print(value: unknown, format: string | undefined): void {
  process.stdout.write(
    format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : emitYaml(value as YamlNode, { jinja: false }),
  )
}

/** The pillar as Salt gets it, each secret the machine receives shown as `'********'` (never read here). */
function withMaskedSecrets(r: Resolution, m: ResolvedMinion): unknown {
  const names = secretsByMachine(r).get(m.id)
  if (names === undefined) return m.pillar
  const masked = Object.fromEntries([...names.keys()].sort().map((n) => [n, MASK]))
  return { ...m.pillar, [SECRET_ROOT]: masked }
}

/** Prints one view of machine `m`. */
export function showMachine(
  view: 'pillar' | 'top' | 'grains',
  m: ResolvedMinion,
  format: string | undefined,
  r?: Resolution,
): number {
  if (view === 'pillar') print(r === undefined ? m.pillar : withMaskedSecrets(r, m), format)
  else if (view === 'top') print(m.sls.length > 0 ? { base: m.sls } : {}, format)
  else print({ grains: m.grains }, format)
  return 0
}

/** Prints the explanation of `key` on machine `m`. */
export function printExplanation(
  e: import('../resolve/explain.ts').Explanation,
  format: string | undefined,
): void {
  if (format === 'json') {
    const steps = e.steps.map((s) => ({
      ...s,
      origin: { ...s.origin, file: relative(process.cwd(), s.origin.file) },
    }))
    process.stdout.write(`${JSON.stringify({ ...e, steps }, null, 2)}\n`)
    return
  }
  const shown = (v: unknown) => (v === undefined ? '(not set)' : JSON.stringify(v))
  const lines = [`${e.key} on ${e.machine} = ${shown(e.value)}`]
  if (e.steps.length === 0) lines.push('  no layer sets it')
  e.steps.forEach((s, i) => {
    const at = `${relative(process.cwd(), s.origin.file)}:${s.origin.line}:${s.origin.column}`
    lines.push(`  ${i + 1}. ${s.layer.padEnd(24)} ${shown(s.value).padEnd(30)} ${at}`)
  })
  process.stdout.write(`${lines.join('\n')}\n`)
}
