import { type Diagnostic, error } from '../compiler/diagnostics.ts'
import { readManifestOrigins, type StateRow } from './manifest-origins.ts'
import { outcomeDiagnostics, saltErrorDiagnostics } from './outcome-diagnostics.ts'
import { runStateApply, type SaltWorkspace, type StateRunOptions } from './run-salt.ts'
import {
  redactResult,
  type SaltStateReturn,
  type StateOutcome,
  type Summary,
  stateOutcomes,
  summarize,
} from './state-outcomes.ts'

/** Salt's stand-in result when its top file selects no state for the minion. */
const NO_STATES = 'no_|-states_|-states_|-None'

/** A run of Salt read against the manifest: per-state outcomes at their TypeScript lines. */
export interface TreeRun {
  readonly outcomes: readonly StateOutcome[]
  readonly summary: Summary
  /** Failed and blocked states, and errors Salt reported instead of results. */
  readonly diagnostics: readonly Diagnostic[]
  /** Salt's result as it may be kept (hidden diffs redacted); the error list when there was none. */
  readonly result: Record<string, SaltStateReturn> | readonly string[]
  readonly code: number
  readonly durationMs: number
}

/**
 * Runs `state.apply` (test=True for a plan) on the workspace's tree and maps each state to its
 * TypeScript origin; the manifest's paths are relative to `project`.
 */
export async function runTree(
  ws: SaltWorkspace,
  project: string,
  options: StateRunOptions,
  /** Origins of states the manifest does not list (the run's own: prune, kept edits). */
  extra: ReadonlyMap<string, StateRow> = new Map(),
): Promise<TreeRun> {
  const started = performance.now()
  const run = await runStateApply(ws, options)
  const durationMs = Math.round(performance.now() - started)
  const read = readManifestOrigins(ws.tree, project)
  const manifest = extra.size ? { states: new Map([...read.states, ...extra]) } : read
  const noTop = run.states?.[NO_STATES]
  if (noTop !== undefined) {
    const diagnostics = [
      error('DSL6004', `no state applies to this machine: ${String(noTop.comment)}`, undefined, {
        hint: 'the top file matches nothing for this minion id: pass --machine ID of a machine of the inventory',
      }),
    ]
    return {
      outcomes: [],
      summary: summarize([]),
      diagnostics,
      result: [String(noTop.comment)],
      code: run.code,
      durationMs,
    }
  }
  if (run.states === undefined) {
    const summary = summarize([])
    return {
      outcomes: [],
      summary,
      diagnostics: saltErrorDiagnostics(run.errors),
      result: run.errors,
      code: run.code,
      durationMs,
    }
  }
  const outcomes = stateOutcomes(run.states, manifest)
  return {
    outcomes,
    summary: summarize(outcomes),
    diagnostics: outcomeDiagnostics(outcomes),
    result: redactResult(run.states, manifest),
    code: run.code,
    durationMs,
  }
}
