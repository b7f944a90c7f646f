import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Diagnostic, error } from '../diagnostics.ts'
import { saltDirSls } from '../graph/salt-dir-sls.ts'
import { findUp, PACKAGE_ROOT } from '../paths.ts'
import { type Data, pyEqual } from '../resolve/merge.ts'
import { predictHighstate, renderedSls } from '../resolve/predict.ts'
import type { Resolution, ResolvedMinion } from '../resolve/resolve.ts'
import { runProcess } from '../run-process.ts'
import { writeMinionConfig } from './minion-config.ts'

const SCRIPT = join(PACKAGE_ROOT, 'compiler', 'salt', 'render.py')

/** The Python that has Salt: an explicit one, else the project's or salt-dsl's own `.venv`. */
export function findSaltPython(explicit: string | undefined, from: string): string | undefined {
  if (explicit !== undefined) return existsSync(explicit) ? explicit : undefined
  const project = findUp(from, (dir) => existsSync(join(dir, '.venv', 'bin', 'salt-call')))
  for (const root of [project, PACKAGE_ROOT]) {
    const python = join(root, '.venv', 'bin', 'python')
    if (existsSync(python) && existsSync(join(root, '.venv', 'bin', 'salt-call'))) return python
  }
  return undefined
}

interface Rendered {
  readonly top?: { base?: string[] } | unknown
  readonly pillar?: Data
  readonly highstate?: Record<string, unknown> | string[]
  readonly error?: string
}

/**
 * Renders every machine with the real Salt (a temp minion config each, with the grains the compiler assumes)
 * and reports where Salt disagrees with the compiler: its state top, its merged pillar, its highstate IDs.
 */
export async function crossCheck(r: Resolution, tree: string, python: string): Promise<Diagnostic[]> {
  const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-crosscheck-'))
  try {
    const rendered = await mapLimit(r.machines, availableParallelism(), async (m) => {
      const run = await runProcess(python, [SCRIPT, minionConfig(dir, m, tree, r.mergeLists)])
      if (run.code !== 0) return { error: `the Salt renderer exited ${run.code}: ${run.stderr.slice(-2000)}` }
      return JSON.parse(run.stdout) as Rendered
    })
    return r.machines.flatMap((m, i) => compare(r, m, rendered[i]))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function minionConfig(dir: string, m: ResolvedMinion, tree: string, mergeLists: boolean): string {
  const root = join(dir, m.id)
  const options = { pillar_merge_lists: mergeLists, pillar_mask_output: false }
  const base = {
    id: m.id,
    fileRoot: join(tree, 'salt'),
    pillarRoot: join(tree, 'pillar'),
    root,
    grains: m.grains,
  }
  return writeMinionConfig(root, { ...base, options })
}

function compare(r: Resolution, m: ResolvedMinion, got: Rendered | undefined): Diagnostic[] {
  const at = m.machine?.origin
  const fail = (code: string, message: string) => error(code, `machine '${m.id}': ${message}`, at)
  if (got === undefined || got.error !== undefined)
    return [fail('DSL5001', `Salt could not render it: ${got?.error ?? 'no answer'}`)]
  if (Array.isArray(got.highstate))
    return [fail('DSL5001', `Salt's highstate has errors: ${got.highstate.join('; ')}`)]
  const out: Diagnostic[] = []
  const top = ((got.top as { base?: string[] })?.base ?? []).join(', ')
  if (top !== m.sls.join(', '))
    out.push(fail('DSL5002', `Salt's state top selects [${top}], the compiler [${m.sls.join(', ')}]`))
  const pillar = { ...(got.pillar as Record<string, Data>) }
  if (!pyEqual(pillar, m.pillar))
    out.push(
      fail(
        'DSL5003',
        'Salt merged a different pillar (compare `dsl show pillar` with `salt-call pillar.items`)',
      ),
    )
  const highstate = got.highstate ?? {}
  const predicted = [...predictHighstate(r.program, m)].sort()
  // states of hand-written Salt (saltDir) are Salt's to know; only those TypeScript references are predicted
  const handWritten = saltDirSls(r.program)
  // `__extend__` and the like are Salt's own keys, not IDs
  const ids = Object.keys(highstate)
    .filter((id) => !id.startsWith('__') && (predicted.includes(id) || !handWritten(slsOf(highstate[id]))))
    .sort()
  out.push(...missingExternals(r, m, highstate, fail))
  const externals = new Set(r.program.states.filter((s) => s.external).map((s) => s.id))
  if (ids.join('\n') !== predicted.filter((id) => !externals.has(id) || id in highstate).join('\n')) {
    const missing = predicted.filter((id) => !ids.includes(id) && !externals.has(id))
    const extra = ids.filter((id) => !predicted.includes(id))
    out.push(
      fail(
        'DSL5004',
        `Salt's highstate differs: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`,
      ),
    )
  }
  return out
}

const slsOf = (state: unknown): string =>
  state !== null && typeof state === 'object' ? String((state as { __sls__?: unknown }).__sls__ ?? '') : ''

/** An `external()` state this machine's highstate should have (its SLS is rendered) that Salt lacks. */
function missingExternals(
  r: Resolution,
  m: ResolvedMinion,
  highstate: Record<string, unknown>,
  fail: (code: string, message: string) => Diagnostic,
): Diagnostic[] {
  const rendered = renderedSls(r.program, m.sls, m)
  const out: Diagnostic[] = []
  for (const s of r.program.states) {
    if (!s.external || !rendered.has(s.sls)) continue
    const found = highstate[s.id]
    // the SLS named, or one it holds (`external(nginx, ...)` for a state of nginx.service that nginx includes)
    const sls = slsOf(found)
    if (
      found !== null &&
      typeof found === 'object' &&
      s.module in found &&
      (sls === s.sls || sls.startsWith(`${s.sls}.`))
    )
      continue
    const where =
      found === undefined
        ? 'has no such ID'
        : `has '${s.id}' in SLS '${slsOf(found)}' with ${Object.keys(found as object)
            .filter((k) => !k.startsWith('__'))
            .join(', ')}`
    const d = fail(
      'DSL4061',
      `external('${s.sls}', '${s.module}', '${s.id}') is not in Salt's render: it ${where}`,
    )
    out.push({
      ...d,
      origin: s.origin,
      hint: 'check the ID, state module and SLS against the hand-written Salt',
    })
  }
  return out
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return results
}
