import { runProcess } from '../compiler/run-process.ts'
import type { GitRevision } from './git-revision.ts'

/**
 * Why a tree may not be applied under `applyPolicy({ approval: { branch } })`: built from a work tree with
 * uncommitted changes, outside git, or from a commit the branch does not contain. Undefined: approved.
 */
export async function approvalRefusal(
  project: string,
  revision: GitRevision | undefined,
  branch: string,
): Promise<string | undefined> {
  if (revision === undefined)
    return `the config at ${project} is not in a git repository, so no commit can be approved`
  const short = revision.commit.slice(0, 10)
  if (revision.dirty)
    return `the work tree has uncommitted changes (see git status): commit them and merge into '${branch}' first`
  const git = (...args: string[]) => runProcess('git', ['-c', 'safe.directory=*', '-C', project, ...args])
  const known = await git('rev-parse', '--verify', '--quiet', `refs/heads/${branch}`)
  if (known.code !== 0) return `there is no branch '${branch}' in the repository to approve commit ${short}`
  const on = await git('merge-base', '--is-ancestor', revision.commit, `refs/heads/${branch}`)
  if (on.code !== 0) return `commit ${short} is not on the approved branch '${branch}': merge it first`
  return undefined
}
