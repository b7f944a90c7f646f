// How a config module's imports resolve (as tsc resolves them), and what the project's tsconfig chain says
// about compiling and resolving them.
import { readFileSync, statSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { dirname, extname, isAbsolute, join, resolve } from 'node:path'

/** Extensions tried for an import without one, in esbuild's order for TypeScript projects. */
export const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json']
/** `./x.js` in TypeScript source names `./x.ts` (the compiled name), as tsc and esbuild resolve it. */
const TS_FOR_JS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
}

export const BUILTINS: ReadonlySet<string> = new Set(builtinModules)

/** The compiler options of the tsconfig chain that change how esbuild compiles TypeScript. */
const TS_OPTIONS = {
  verbatimModuleSyntax: 'boolean',
  preserveValueImports: 'boolean',
  experimentalDecorators: 'boolean',
  useDefineForClassFields: 'boolean',
  importsNotUsedAsValues: 'string',
  jsx: 'string',
  jsxFactory: 'string',
  jsxFragmentFactory: 'string',
  jsxImportSource: 'string',
} as const

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** A relative or absolute specifier → the file, as tsc and esbuild resolve it (undefined if none). */
export function resolveLocal(from: string, spec: string): string | undefined {
  const base = isAbsolute(spec) ? spec : resolve(dirname(from), spec)
  const ext = extname(base)
  for (const ts of TS_FOR_JS[ext] ?? []) {
    const candidate = base.slice(0, -ext.length) + ts
    if (isFile(candidate)) return candidate
  }
  if (ext !== '' && isFile(base)) return base
  for (const e of EXTENSIONS) if (isFile(base + e)) return base + e
  for (const e of EXTENSIONS) if (isFile(join(base, `index${e}`))) return join(base, `index${e}`)
  return undefined
}

export const isLocal = (spec: string) =>
  spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || isAbsolute(spec)

/** A path inside a node_modules directory (a package's file, not the config's). */
export const inNodeModules = (path: string) => path.split(/[\\/]/).includes('node_modules')

/** A tsconfig's `paths`: patterns (one `*` at most) to targets under `base`. */
export interface PathMapping {
  readonly base: string
  readonly paths: Readonly<Record<string, readonly string[]>>
}

/** A tsconfig as JSON with comments and trailing commas (what tsc accepts), undefined if it is not one. */
function readJsonc(file: string): Record<string, unknown> | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '"') {
      const end = stringEnd(text, i)
      out += text.slice(i, end)
      i = end - 1
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      out += '\n'
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2)
      if (i === -1) break
      i++
    } else out += c
  }
  try {
    return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** The index just past the JSON string that starts at `from`. */
function stringEnd(text: string, from: number): number {
  for (let i = from + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i + 1
  }
  return text.length
}

/** What the tsconfig chain says that matters when the config runs. */
export interface TsconfigFacts {
  /** The options that change how esbuild compiles TypeScript, as its `tsconfigRaw` compiler options. */
  readonly options: Record<string, boolean | string>
  readonly paths: PathMapping | undefined
}

/**
 * Reads the tsconfig chain (nearest first) once. Options: the nearest file that sets one wins
 * (`verbatimModuleSyntax`, say, keeps an import whose bindings are unused, so the module it names runs, as
 * tsc and the editor expect). `paths`: those of the nearest file that sets them, relative to the nearest
 * `baseUrl` (or to that file's directory), as tsc reads them.
 */
export function readTsconfig(chain: readonly string[]): TsconfigFacts {
  const options: Record<string, boolean | string> = {}
  let paths: PathMapping | undefined
  let baseUrl: string | undefined
  for (const file of chain) {
    const compilerOptions = readJsonc(file)?.compilerOptions as Record<string, unknown> | undefined
    if (compilerOptions === undefined) continue
    for (const [key, type] of Object.entries(TS_OPTIONS)) {
      const value = compilerOptions[key]
      if (!(key in options) && typeof value === type) options[key] = value as boolean | string
    }
    if (baseUrl === undefined && typeof compilerOptions.baseUrl === 'string')
      baseUrl = resolve(dirname(file), compilerOptions.baseUrl)
    const mapping = compilerOptions.paths
    if (paths === undefined && mapping !== null && typeof mapping === 'object')
      paths = { base: dirname(file), paths: mapping as Record<string, string[]> }
  }
  return { options, paths: paths && baseUrl !== undefined ? { ...paths, base: baseUrl } : paths }
}

/** The file a `paths` alias names (the longest matching pattern's first target that exists). */
export function aliasOf(mapping: PathMapping | undefined, spec: string): string | undefined {
  if (mapping === undefined) return undefined
  let best: { star: string; targets: readonly string[]; prefix: number } | undefined
  for (const [pattern, targets] of Object.entries(mapping.paths)) {
    if (!Array.isArray(targets)) continue
    const star = pattern.indexOf('*')
    if (star === -1) {
      if (pattern === spec) return firstExisting(mapping.base, targets, '')
      continue
    }
    const [prefix, suffix] = [pattern.slice(0, star), pattern.slice(star + 1)]
    if (!spec.startsWith(prefix) || !spec.endsWith(suffix) || spec.length < prefix.length + suffix.length)
      continue
    if (best !== undefined && best.prefix >= prefix.length) continue
    best = { star: spec.slice(prefix.length, spec.length - suffix.length), targets, prefix: prefix.length }
  }
  return best && firstExisting(mapping.base, best.targets, best.star)
}

function firstExisting(base: string, targets: readonly string[], star: string): string | undefined {
  for (const target of targets) {
    const found = resolveLocal(join(base, 'tsconfig.json'), resolve(base, target.replace('*', star)))
    if (found !== undefined && !inNodeModules(found)) return found
  }
  return undefined
}

/** The conditions a config module's import matches in a package's `imports`, as the loader runs it. */
const CONDITIONS: ReadonlySet<string> = new Set(['import', 'require', 'node', 'default'])

/**
 * A `#` specifier → the config file the nearest package.json's `imports` maps it to (exact keys, or one
 * `*` pattern, the longest prefix first; conditions in the object's order, arrays tried in turn), as Node
 * and tsc resolve it. Undefined when it maps to a package, or to nothing.
 */
export function packageImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('#')) return undefined
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (isFile(manifest)) {
      let imports: unknown
      try {
        imports = (JSON.parse(readFileSync(manifest, 'utf8')) as { imports?: unknown }).imports
      } catch {
        return undefined
      }
      if (imports === null || typeof imports !== 'object') return undefined
      const map = imports as Record<string, unknown>
      if (spec in map && !spec.includes('*')) return importTarget(dir, map[spec], '')
      let best: { key: string; star: string } | undefined
      for (const key of Object.keys(map)) {
        const star = key.indexOf('*')
        if (star === -1 || key.indexOf('*', star + 1) !== -1) continue
        const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)]
        if (!spec.startsWith(prefix) || !spec.endsWith(suffix) || spec.length < key.length - 1) continue
        if (best !== undefined && best.key.indexOf('*') >= prefix.length) continue
        best = { key, star: spec.slice(prefix.length, spec.length - suffix.length) }
      }
      return best && importTarget(dir, map[best.key], best.star)
    }
    if (dirname(dir) === dir) return undefined
  }
}

function importTarget(dir: string, target: unknown, star: string): string | undefined {
  if (typeof target === 'string') {
    // a target that is not relative names a package: Node loads it
    if (!target.startsWith('./')) return undefined
    const found = resolveLocal(join(dir, 'package.json'), resolve(dir, target.replaceAll('*', star)))
    return found !== undefined && !inNodeModules(found) ? found : undefined
  }
  if (Array.isArray(target)) {
    for (const t of target) {
      const found = importTarget(dir, t, star)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (target === null || typeof target !== 'object') return undefined
  for (const [condition, value] of Object.entries(target)) {
    if (CONDITIONS.has(condition)) return importTarget(dir, value, star)
  }
  return undefined
}

/** Extensions of TypeScript source, which Node cannot run: the loader compiles such a file itself. */
const TS_SOURCE: ReadonlySet<string> = new Set(['.ts', '.tsx', '.mts', '.cts'])

/** Whether a resolved file is the config's to compile and run (its own, or a package's TypeScript source). */
export const isConfigModule = (path: string) => !inNodeModules(path) || TS_SOURCE.has(extname(path))

/**
 * Where an import leads, as tsc resolves it: `{ file }` for a file (a config module, or a file of a package
 * that Node loads), `'package'` for a builtin, a module handed to the config or an installed package Node
 * loads by name, undefined for nothing. A package whose entry is TypeScript source (a workspace package
 * that ships `.ts`, say) is a file: the loader compiles and runs it as a config module.
 */
export function resolveImport(
  from: string,
  spec: string,
  paths: PathMapping | undefined,
): { readonly file: string } | 'package' | undefined {
  if (isLocal(spec)) {
    const file = resolveLocal(from, spec)
    return file === undefined ? undefined : { file }
  }
  if (BUILTINS.has(spec) || spec.startsWith('node:') || SHARED_NAMES.has(spec)) return 'package'
  const mapped = packageImport(from, spec) ?? aliasOf(paths, spec)
  if (mapped !== undefined) return { file: mapped }
  try {
    const file = createRequire(from).resolve(spec)
    return TS_SOURCE.has(extname(file)) ? { file } : 'package'
  } catch (thrown) {
    // a package that has no `require` export (ESM only) is there: it is bundled when required
    return (thrown as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' ? 'package' : undefined
  }
}

/** What shared-modules.ts hands to the config (those need not be installed beside it). */
export const SHARED_NAMES: ReadonlySet<string> = new Set(['salt-dsl', 'zod'])
