import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Whether Salt's loader may run with `lazy_loader_strict_matching` on a tree whose file root is `fileRoot`.
 *
 * When a lookup misses (Salt asks for `module.mod_run_check` before every state that has `unless`, `onlyif`
 * or `creates`, and most state modules have none), the loader's last resort imports every module it knows
 * in case one of them names itself so: about 0.6 s per run, measured on the pinned Salt. Strict matching
 * looks only in the files whose name contains the module's name, which finds every module Salt itself ships
 * (each one's `__virtualname__`, and every name its `__virtual__` returns, is part of its file name). A
 * custom module in the tree (`_modules/`, `_states/`, ...) that names itself otherwise would not be found:
 * then the loader keeps its default.
 */
export function strictMatchingSafe(fileRoot: string): boolean {
  let dirs: string[]
  try {
    dirs = readdirSync(fileRoot).filter((n) => n.startsWith('_'))
  } catch {
    return true // no tree (yet): nothing custom in it
  }
  for (const dir of dirs) {
    const path = join(fileRoot, dir)
    if (!isDir(path)) continue
    for (const entry of readdirSync(path)) {
      const file = entry.endsWith('.py')
        ? join(path, entry)
        : isDir(join(path, entry))
          ? join(path, entry, '__init__.py')
          : undefined
      if (file === undefined) continue
      const base = entry.replace(/\.py$/, '')
      for (const name of declaredNames(file)) if (!base.includes(name)) return false
    }
  }
  return true
}

/** The names a module file gives itself: its `__virtualname__`, and the strings its `__virtual__` returns. */
export function declaredNames(file: string): string[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  const names = [...text.matchAll(/^__virtualname__\s*=\s*["']([^"']+)["']/gm)].map((m) => m[1]!)
  const body = /^def __virtual__\(\):([\s\S]*?)(?=^\S|(?![\s\S]))/m.exec(text)?.[1] ?? ''
  for (const m of body.matchAll(/return\s*\(?\s*["']([A-Za-z0-9_]+)["']/g)) names.push(m[1]!)
  return names
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
