import { relative } from 'node:path'
import { runProcess } from '../compiler/run-process.ts'

/** A revision of the config checked out in a temporary worktree (git's own), removed by `remove()`. */
export interface RevisionCheckout {
  /** Where `path` of the work tree sits in the checkout. */
  readonly at: (path: string) => string
  remove(): Promise<void>
}

const git = (dir: string, ...args: string[]) =>
  runProcess('git', ['-c', 'safe.directory=*', '-C', dir, ...args])

/** Checks out `rev` of the repository holding `dir` into `into` (detached); undefined with git's reason. */
export async function checkoutRevision(
  dir: string,
  rev: string,
  into: string,
): Promise<{ checkout?: RevisionCheckout; error?: string }> {
  const top = await git(dir, 'rev-parse', '--show-toplevel')
  if (top.code !== 0) return { error: `${dir} is not in a git repository` }
  const root = top.stdout.trim()
  const add = await git(root, 'worktree', 'add', '--detach', '--quiet', into, rev)
  if (add.code !== 0) return { error: `git worktree add ${rev}: ${add.stderr.trim()}` }
  return {
    checkout: {
      at: (path) => `${into}/${relative(root, path)}`,
      remove: async () => {
        await git(root, 'worktree', 'remove', '--force', into)
      },
    },
  }
}
