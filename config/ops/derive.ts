// What validation and reports check, derived from the states the config declared before operations().
import { type DeclaredState, declaredStates, homePath, type StateHandle, sh } from 'salt-dsl'

/** An IR value as the DSL builders accept it back (strings, lookups, lists, maps). */
export type Val = DeclaredState['args'][string]

/** A declared state, reduced to what one check needs. */
export interface Target {
  readonly state: DeclaredState
  readonly handle: StateHandle
  /** The package, path, service, user or group name. */
  readonly name: Val
  /** `name` is a lookup of a whole list (`pkgs: pillar.packages.core`): Salt knows the entries at run time. */
  readonly list?: boolean
}

export interface Declared {
  readonly packages: readonly Target[]
  readonly files: readonly Target[]
  readonly symlinks: readonly (Target & { readonly target: Val })[]
  readonly directories: readonly Target[]
  readonly services: readonly (Target & { readonly running: boolean })[]
  readonly users: readonly Target[]
  readonly groups: readonly Target[]
}

const arg = (s: DeclaredState, key: string): Val | undefined => s.args[key]
const nameOf = (s: DeclaredState): Val => arg(s, 'name') ?? s.id
const target = (s: DeclaredState, name: Val, list = false): Target =>
  list ? { state: s, handle: s.handle, name, list } : { state: s, handle: s.handle, name }

/**
 * Package targets of one `pkg` state: `name`, or each entry of `pkgs` (a `{name: version}` map gives its
 * key); a `pkgs` that is one lookup is the whole list, a single target marked `list`.
 */
function packageTargets(s: DeclaredState): Target[] {
  const pkgs = arg(s, 'pkgs')
  if (pkgs === undefined) return [target(s, nameOf(s))]
  if (!Array.isArray(pkgs)) return [target(s, pkgs, true)]
  return (pkgs as readonly Val[]).map((p) =>
    target(
      s,
      p !== null && typeof p === 'object' && !Array.isArray(p) && !isLookup(p) ? Object.keys(p)[0]! : p,
    ),
  )
}

const isLookup = (v: Val): boolean =>
  typeof v === 'object' && v !== null && Object.getOwnPropertySymbols(v).length > 0

/** The states declared so far (or `states`), sorted into what can be checked. */
export function declared(states: readonly DeclaredState[] = declaredStates()): Declared {
  const fn = (s: DeclaredState) => `${s.module}.${s.fun}`
  const pick = (...fns: string[]) => states.filter((s) => fns.includes(fn(s)))
  return {
    packages: pick('pkg.installed', 'pkg.latest').flatMap(packageTargets),
    files: pick('file.managed').map((s) => target(s, nameOf(s))),
    symlinks: pick('file.symlink').map((s) => ({ ...target(s, nameOf(s)), target: arg(s, 'target') ?? '' })),
    directories: pick('file.directory').map((s) => target(s, nameOf(s))),
    services: pick('service.running', 'service.dead').map((s) => ({
      ...target(s, nameOf(s)),
      running: s.fun === 'running',
    })),
    users: pick('user.present').map((s) => target(s, nameOf(s))),
    groups: pick('group.present').map((s) => target(s, nameOf(s))),
  }
}

/** The part of `found` declared in SLS module `sls`. */
export function declaredIn(found: Declared, sls: string): Declared {
  const mine = <T extends Target>(ts: readonly T[]) => ts.filter((t) => t.state.sls === sls)
  return {
    packages: mine(found.packages),
    files: mine(found.files),
    symlinks: mine(found.symlinks),
    directories: mine(found.directories),
    services: mine(found.services),
    users: mine(found.users),
    groups: mine(found.groups),
  }
}

/**
 * A path as `sh` inserts it, one shell word: a leading `~user/` left for the shell to expand, the rest (and a
 * lookup, after Salt renders it) quoted by `sh`.
 */
export function shellPath(path: Val): unknown {
  if (typeof path !== 'string') return path
  const m = /^~([A-Za-z_][A-Za-z0-9_.-]*)(?:\/(.*))?$/.exec(path)
  return m === null ? path : homePath(m[1]!, m[2] ?? '')
}

/** At least `minMb` MB free under `path` (a missing path fails): both values quoted, never evaluated. */
export const diskSpaceTest = (path: unknown, minMb: unknown): string =>
  sh`df -Pk ${path} | awk -v min=${minMb} 'NR == 2 { ok = ($4 >= min * 1024) } END { exit !ok }'`

/** The directory a path lives in (`~alice/.config/x` → `~alice/.config`). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? (path.startsWith('/') ? '/' : path) : path.slice(0, i)
}

/** The syntax check of a managed config file, when its name says which tool reads it. */
export function syntaxCheck(path: string): { tool: string; check: (file: unknown) => string } | undefined {
  const base = path.split('/').pop() ?? path
  if (/^\.?gitconfig$|\.gitconfig$/.test(base) || /\/git\/config$/.test(path))
    return { tool: 'git', check: (f) => sh`git config --file ${f} --list >/dev/null 2>&1` }
  if (/^\.(zshrc|zshenv|zprofile|zlogin|zlogout)$|\.zsh$/.test(base))
    return { tool: 'zsh', check: (f) => sh`zsh -n ${f} >/dev/null 2>&1` }
  if (/^\.(bashrc|bash_profile|bash_login|bash_logout|profile)$|\.(sh|bash)$/.test(base))
    return { tool: 'bash', check: (f) => sh`bash -n ${f} >/dev/null 2>&1` }
  if (/^\.?tmux\.conf$/.test(base))
    return {
      tool: 'tmux',
      check: (f) =>
        sh`test -z "$(tmux -L salt-dsl-check -f /dev/null start-server \\; source-file -n ${f} \\; kill-server 2>&1)"`,
    }
  if (/^(init\.vim|init\.lua)$/.test(base))
    return {
      tool: 'nvim',
      check: (f) => sh`test -z "$(nvim --headless -n -i NONE -u ${f} -c 'qa!' 2>&1 </dev/null)"`,
    }
  if (/^\.?vimrc$/.test(base))
    return { tool: 'vim', check: (f) => sh`vim -Nu ${f} -i NONE -es -c 'qa!' </dev/null >/dev/null 2>&1` }
  if (/(^|\/)\.ssh\/config$/.test(path))
    return { tool: 'ssh', check: (f) => sh`ssh -G -F ${f} localhost >/dev/null 2>&1` }
  return undefined
}
