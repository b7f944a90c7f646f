import type { StateOutcome } from './state-outcomes.ts'

/** State modules that change the system itself: only root may apply them. */
const SYSTEM = new Set(['pkg', 'pkgrepo', 'service', 'user', 'group', 'mount', 'sysctl', 'kmod', 'timezone'])

/**
 * For a run as a normal user: which states of the plan it cannot manage (system states, and those Salt
 * already failed to plan), and a sentence saying what it can.
 */
export function rootNeeds(
  outcomes: readonly StateOutcome[],
  user: string,
): { note: string; states: StateOutcome[] } {
  const states = outcomes.filter(
    (o) => (SYSTEM.has(o.fun.split('.')[0] ?? '') && o.change !== 'no-op') || o.status === 'failed',
  )
  const note =
    `running as ${user}, not root: Salt can manage what ${user} may write (files in its own home, ` +
    'its own crontab) but not packages, services, users, groups or files of other users; ' +
    (states.length === 0
      ? 'every state of this plan is within reach.'
      : `${states.length} state(s) of this plan need root and will fail:`)
  return { note, states }
}
