import type { Program } from '../../dsl/ir.ts'
import { type Diagnostic, warning } from '../diagnostics.ts'

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

/**
 * An `external()` state whose SLS no `saltDir()` ships: Salt must find it elsewhere (gitfs, another
 * file_roots), which the build cannot see, so it is a warning; `dsl check --salt` renders and checks it.
 */
export function checkExternals(program: Program): Diagnostic[] {
  const handWritten = saltDirSls(program)
  const out: Diagnostic[] = []
  for (const s of program.states) {
    if (!s.external || handWritten(s.sls)) continue
    const hint = `ship it with saltDir('<dir>') (e.g. saltDir('vendor/x').sls('y')), or check it with dsl check --salt`
    out.push(
      warning(
        'DSL3090',
        `external('${s.sls}', '${s.module}', '${s.id}'): no saltDir() ships SLS '${s.sls}'`,
        s.origin,
        { hint },
      ),
    )
  }
  return out
}
