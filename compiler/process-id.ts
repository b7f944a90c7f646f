// Who owns a lock or a staging directory: a pid and the process's start time, so a pid the system has
// since given to another process does not pass for the build that left the entry behind.
import { readFileSync } from 'node:fs'

/** The start time of process `pid` in clock ticks since boot (Linux), or '' where /proc has none. */
export function startTimeOf(pid: number): string | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch (thrown) {
    // no /proc at all (macOS): liveness then rests on the pid alone
    return (thrown as NodeJS.ErrnoException).code === 'ENOENT' && !hasProc() ? '' : undefined
  }
  // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return fields[19] ?? ''
}

let procChecked: boolean | undefined
function hasProc(): boolean {
  if (procChecked === undefined) {
    try {
      readFileSync('/proc/self/stat')
      procChecked = true
    } catch {
      procChecked = false
    }
  }
  return procChecked
}

/** This process, as `<pid>-<start>` (the form lock and staging names carry). */
export const SELF = `${process.pid}-${startTimeOf(process.pid) ?? ''}`

/** Whether the process named `<pid>-<start>` still runs (a pid alive with another start time is not it). */
export function isAlive(owner: string): boolean {
  const dash = owner.indexOf('-')
  const pid = Number(dash < 0 ? owner : owner.slice(0, dash))
  const start = dash < 0 ? '' : owner.slice(dash + 1)
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (owner === SELF) return true
  try {
    process.kill(pid, 0)
  } catch (thrown) {
    // EPERM: alive, another user's
    if ((thrown as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const now = startTimeOf(pid)
  if (now === undefined) return false
  return start === '' || now === '' || now === start
}
