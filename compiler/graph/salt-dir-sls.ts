import type { Program } from '../../dsl/ir.ts'

/**
 * Whether an SLS name lies in a directory of hand-written Salt the config ships (`saltDir()`): its SLS
 * are not known to the compiler, so Salt's render (`dsl check --salt`) is what checks them.
 */
export function saltDirSls(program: Program): (name: string) => boolean {
  const roots: string[] = []
  for (const a of program.assets) if (a.dir !== undefined) roots.push(a.dir.replace(/\//g, '.'))
  if (roots.length === 0) return () => false
  return (name) => roots.some((root) => root === '' || name === root || name.startsWith(`${root}.`))
}
