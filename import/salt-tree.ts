// The top level of a Salt tree and what the importer does with each entry: a directory is shipped as it is
// (saltDir), a root `X.sls` becomes `X/init.sls` (the same SLS name), the top file is read through Salt.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** One top-level entry of the Salt tree. */
export interface TreeEntry {
  /** The name under salt://, and the SLS name of its root. */
  readonly name: string
  /** Where it is in the original tree. */
  readonly from: string
  readonly kind: 'dir' | 'root-sls' | 'top' | 'other'
}

const SLS_NAME = /^[A-Za-z0-9_-]+$/

/** The entries of `root`, sorted; dot files are left out. */
export function readSaltTree(root: string): TreeEntry[] {
  return readdirSync(root)
    .filter((n) => !n.startsWith('.'))
    .sort()
    .map((n): TreeEntry => {
      const from = join(root, n)
      if (statSync(from).isDirectory()) return { name: n, from, kind: SLS_NAME.test(n) ? 'dir' : 'other' }
      if (n === 'top.sls') return { name: 'top', from, kind: 'top' }
      const stem = n.replace(/\.sls$/, '')
      if (n.endsWith('.sls') && SLS_NAME.test(stem) && !existsSync(join(root, stem)))
        return { name: stem, from, kind: 'root-sls' }
      return { name: n, from, kind: 'other' }
    })
}
