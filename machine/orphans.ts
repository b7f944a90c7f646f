import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/**
 * The processes (other than this one) whose command line or working directory contains `fragment`: the
 * salt-calls a killed run left running still name their run's config dir (a salt-call started ahead, see
 * prewarmSalt, works in it), whether or not the run lived to note their pid. /proc where there is one,
 * `ps` elsewhere (macOS: command lines only).
 */
export function processesNaming(fragment: string): number[] {
  const found: number[] = []
  let names: string[] | undefined
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n))
  } catch {}
  if (names !== undefined) {
    for (const name of names) {
      const pid = Number(name)
      if (pid === process.pid) continue
      try {
        if (
          readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').includes(fragment) ||
          `${readlinkSync(`/proc/${name}/cwd`)}/`.includes(fragment)
        )
          found.push(pid)
      } catch {} // gone meanwhile, or not ours to read
    }
    return found
  }
  const ps = spawnSync('ps', ['-axo', 'pid=,args='], { encoding: 'utf8' })
  for (const line of (ps.stdout ?? '').split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line)
    if (m && Number(m[1]) !== process.pid && m[2]!.includes(fragment)) found.push(Number(m[1]))
  }
  return found
}
