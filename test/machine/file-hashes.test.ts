// The hashes of the dotfiles an apply wrote (what tells a local edit) are read by salt-dsl itself: equal to
// what Salt's file.get_hash gives, and no hang or read of a device when something else sits at the path.
import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeMinionConfig } from '../../compiler/salt/minion-config.ts'
import { saltCall } from '../../compiler/salt/salt-call.ts'
import { fileHashes } from '../../machine/file-hashes.ts'
import { throwawayUser } from '../support/apply.ts'
import { tempDir } from '../support/cli.ts'
import { saltCallPath } from '../support/salt.ts'

describe('file hashes', () => {
  it("equal Salt's file.get_hash, through links; nothing for what is not a regular file", async () => {
    const dir = tempDir('salt-dsl-hashes-')
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x') // over one read
    writeFileSync(join(dir, 'plain'), 'alias ll="ls -l"\n')
    writeFileSync(join(dir, 'big'), big)
    symlinkSync(join(dir, 'plain'), join(dir, 'link'))
    execFileSync('mkfifo', [join(dir, 'fifo')])
    symlinkSync('/dev/zero', join(dir, 'zero'))
    mkdirSync(join(dir, 'directory'))
    // a dotfile as the manifest names it: in a user's home, by the user's name
    const user = throwawayUser()
    try {
      writeFileSync(join(user.home, '.inputrc'), 'set bell-style none\n')
      const paths = ['plain', 'big', 'link', 'fifo', 'zero', 'directory', 'missing']
        .map((n) => join(dir, n))
        .concat([`~${user.name}/.inputrc`, `~${user.name}/.missing`, '~nosuchuser-dsl/.inputrc'])
      const ours = fileHashes(paths)
      expect([...ours.keys()]).toEqual([...paths.slice(0, 3), paths[7]])
      await sameAsSalt(dir, ours, [...paths.slice(0, 3), paths[7]!])
    } finally {
      user.remove()
    }
  }, 60_000)
})

/** Salt's own reading of each path gives the same hash. */
async function sameAsSalt(dir: string, ours: ReadonlyMap<string, string>, paths: readonly string[]) {
  const conf = join(dir, 'conf')
  writeMinionConfig(conf, { fileRoot: dir, pillarRoot: dir, root: join(dir, 'root') })
  const python = join(dirname(saltCallPath()), 'python3')
  for (const path of paths) {
    const salt = await saltCall({ python, confDir: conf, fun: 'file.get_hash', args: [path] })
    expect(ours.get(path), path).toBe(salt.data)
  }
}
