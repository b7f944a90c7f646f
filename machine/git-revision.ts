import { runProcess } from '../compiler/run-process.ts'

/** The config's git commit and whether its work tree had uncommitted changes. */
export interface GitRevision {
  readonly commit: string
  readonly dirty: boolean
}

/** The revision of the git work tree holding `dir`; undefined outside git (or without git). */
export async function gitRevision(dir: string): Promise<GitRevision | undefined> {
  // root reading a checkout another user owns: git refuses it without safe.directory
  const git = (...args: string[]) => runProcess('git', ['-c', 'safe.directory=*', '-C', dir, ...args])
  try {
    const [head, status] = await Promise.all([
      git('rev-parse', 'HEAD'),
      git('status', '--porcelain', '--untracked-files=normal'),
    ])
    if (head.code !== 0 || status.code !== 0) return undefined
    return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' }
  } catch {
    return undefined
  }
}
