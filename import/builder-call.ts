// Which typed builder writes a rendered state exactly as Salt rendered it. A builder takes the state's name
// first and passes its other options on in their order (dsl/states/*): it fits a state whose function is one
// of the builder's, whose `name` (when given) is its first argument, and whose arguments have the types the
// builder gives them. A state no builder fits is written as state('module.function', ...).
import { PerOs } from './per-os.ts'

type Check = (v: unknown) => boolean

const str: Check = (v) => typeof v === 'string'
const num: Check = (v) => typeof v === 'number'
const bool: Check = (v) => typeof v === 'boolean'
const strOrNum: Check = (v) => str(v) || num(v)
const strList: Check = (v) => Array.isArray(v) && v.every(str)
const strOrList: Check = (v) => str(v) || strList(v)
const strRecord: Check = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(str)
const oneOf =
  (...values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v)

/** A builder: its name, the functions it writes, the default one, and the types of the options it types. */
interface Builder {
  readonly name: string
  readonly funs: readonly string[]
  /** The fun `ensure` defaults to; others take `ensure: 'fun'`; none when the builder has one function. */
  readonly ensure?: string
  /** The option holding the builder's default ID instead of its first argument (git: `target`). */
  readonly idFrom?: (args: Readonly<Record<string, unknown>>) => unknown
  /** Options the builder types more narrowly than Salt's catalog: a value must pass (else state()). */
  readonly typed: Readonly<Record<string, Check>>
  /** The options a function needs (file: some content; git: target). */
  readonly needs?: (fun: string, args: Readonly<Record<string, unknown>>) => boolean
  /** A list first argument in place of `name` (pkg's `pkgs`). */
  readonly list?: string
}

// a mode: a string, or Salt's YAML integer of octal digits (written octal(644))
const mode: Check = (v) => str(v) || (num(v) && /^[0-7]{1,4}$/.test(String(v)))
const OWNERSHIP = { user: str, group: str, mode, makedirs: bool }
const URL = /^[a-z][a-z0-9+.-]*:\/\//
// file() ships a source that is not a URL from the config tree: only URLs pass through unchanged
const urls: Check = (v) =>
  str(v) ? URL.test(v as string) : Array.isArray(v) && v.every((s) => str(s) && URL.test(s))
const CONTENT = ['contents', 'source', 'contents_pillar', 'contents_grains']

const BUILDERS: Readonly<Record<string, Builder>> = {
  pkg: {
    name: 'pkg',
    funs: ['installed', 'latest', 'removed', 'purged'],
    ensure: 'installed',
    list: 'pkgs',
    typed: { version: strOrNum, refresh: bool, fromrepo: str, install_recommends: bool, hold: bool },
  },
  service: {
    name: 'service',
    funs: ['running', 'dead'],
    ensure: 'running',
    typed: { enable: bool, reload: bool },
  },
  user: {
    name: 'user',
    funs: ['present', 'absent'],
    ensure: 'present',
    typed: {
      uid: num,
      gid: strOrNum,
      home: str,
      shell: str,
      fullname: str,
      groups: strList,
      optional_groups: strList,
      remove_groups: bool,
      createhome: bool,
      system: bool,
      password: str,
      hash_password: bool,
      enforce_password: bool,
      expire: strOrNum,
      date: strOrNum,
      mindays: num,
      maxdays: num,
      inactdays: num,
      warndays: num,
      usergroup: bool,
      password_lock: bool,
    },
  },
  group: {
    name: 'group',
    funs: ['present', 'absent'],
    ensure: 'present',
    typed: { gid: num, members: strList, addusers: strList, delusers: strList, system: bool },
  },
  cmd: {
    name: 'cmd',
    funs: ['run'],
    typed: {
      unless: strOrList,
      onlyif: strOrList,
      creates: strOrList,
      cwd: str,
      runas: str,
      env: strRecord,
      shell: str,
      timeout: num,
      stateful: bool,
      success_retcodes: (v) => Array.isArray(v) && v.every(num),
    },
  },
  file: {
    name: 'file',
    funs: ['managed', 'directory', 'recurse', 'symlink', 'absent', 'exists', 'append', 'blockreplace'],
    ensure: 'managed',
    typed: {
      ...OWNERSHIP,
      source: urls,
      template: oneOf('jinja'),
      context: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
      contents: str,
      contents_pillar: str,
      contents_grains: str,
      replace: bool,
      dir_mode: mode,
      file_mode: mode,
      clean: bool,
      recurse: (v) =>
        Array.isArray(v) && v.every(oneOf('user', 'group', 'mode', 'ignore_files', 'ignore_dirs', 'silent')),
      target: str,
      force: bool,
      backupname: str,
      text: strOrList,
      content: str,
      marker_start: str,
      marker_end: str,
      append_if_not_found: bool,
      prepend_if_not_found: bool,
    },
    needs: (fun, a) => {
      const has = (k: string) => k in a
      if (fun === 'managed') {
        const content = CONTENT.filter(has)
        if (has('backup') && a.backup !== 'minion') return false
        if ((has('template') || has('context')) && !has('source')) return false
        return content.length === 1 || (content.length === 0 && a.replace === false)
      }
      if (fun === 'recurse') return str(a.source) && !has('template')
      if (fun === 'symlink') return has('target')
      if (fun === 'append') return has('text')
      // file() fills in the markers and append_if_not_found when they are missing
      if (fun === 'blockreplace')
        return ['content', 'marker_start', 'marker_end', 'append_if_not_found'].every(has)
      return !has('source') && !has('template')
    },
  },
  git: {
    name: 'git',
    funs: ['latest'],
    idFrom: (a) => a.target,
    typed: {
      target: str,
      rev: str,
      branch: str,
      user: str,
      depth: num,
      force_reset: (v) => bool(v) || v === 'remote-changes',
      submodules: bool,
      identity: strOrList,
    },
    needs: (_fun, a) => str(a.target) && str(a.name),
  },
  cron: {
    name: 'cron',
    funs: ['present', 'absent'],
    ensure: 'present',
    idFrom: (a) => a.identifier ?? a.name,
    typed: {
      user: str,
      minute: strOrNum,
      hour: strOrNum,
      daymonth: strOrNum,
      month: strOrNum,
      dayweek: strOrNum,
      special: str,
      identifier: str,
      comment: str,
      commented: bool,
    },
  },
  archive: {
    name: 'archive',
    funs: ['extracted'],
    typed: {
      source: str,
      source_hash: str,
      skip_verify: bool,
      archive_format: oneOf('tar', 'zip', 'rar'),
      user: str,
      group: str,
      if_missing: str,
      enforce_toplevel: bool,
      options: str,
    },
    needs: (_fun, a) => str(a.source),
  },
  pkgrepo: {
    name: 'pkgrepo',
    funs: ['managed', 'absent'],
    ensure: 'managed',
    typed: {
      humanname: str,
      file: str,
      key_url: str,
      signedby: str,
      keyid: str,
      keyserver: str,
      ppa: str,
      aptkey: bool,
      baseurl: str,
      gpgcheck: (v) => bool(v) || num(v),
      gpgkey: str,
      enabled: (v) => bool(v) || num(v),
      refresh: bool,
    },
  },
}

/** Every value a (possibly per-os) argument takes. */
const valuesOf = (v: unknown): unknown[] => (v instanceof PerOs ? [...v.values.values()] : [v])

/** How a builder call writes a state: the builder, its first argument and its options before requisites. */
export interface BuilderCall {
  readonly builder: string
  /** The first argument's value: the state's name, its package list, or its ID. */
  readonly first: unknown
  /** `ensure` when the function is not the builder's default. */
  readonly ensure?: string
  /** Whether the call needs `id` (the builder's default ID is not the state's). */
  readonly needsId: boolean
  /** The other arguments, in their order. */
  readonly rest: readonly (readonly [string, unknown])[]
}

/**
 * The builder call that emits `module.fun` with `args` (in Salt's order, requisites left out) under `id`
 * exactly as state() would, or undefined when no builder does.
 */
export function builderCall(
  module: string,
  fun: string,
  id: string,
  args: Readonly<Record<string, unknown>>,
): BuilderCall | undefined {
  const b = BUILDERS[module]
  if (b === undefined || !b.funs.includes(fun)) return undefined
  const keys = Object.keys(args)
  for (const k of keys) {
    const check = b.typed[k]
    if (check !== undefined && !valuesOf(args[k]).every(check)) return undefined
  }
  if (b.needs !== undefined && !b.needs(fun, args)) return undefined
  // pkg() takes `pkgs` only as its first argument, and reads that as `pkgs` only when it is an array (a
  // byPlatform list would be its `name`): a per-os list is state()'s
  const listFirst =
    b.list !== undefined && keys[0] === b.list && !('name' in args) && Array.isArray(args[b.list])
  if (b.list !== undefined && b.list in args && !listFirst) return undefined
  // only pkg() takes a per-os first argument (a lookup); the other builders take a string
  if (!listFirst && module !== 'pkg' && args.name instanceof PerOs) return undefined
  const firstKey = listFirst ? b.list : 'name' in args ? 'name' : undefined
  if (firstKey !== undefined && keys[0] !== firstKey) return undefined
  const first = firstKey === undefined ? id : args[firstKey]
  const defaultId = b.idFrom?.(args) ?? (listFirst ? undefined : first)
  const ensure = b.ensure !== undefined && fun !== b.ensure ? fun : undefined
  return {
    builder: b.name,
    first,
    ...(ensure === undefined ? {} : { ensure }),
    needsId: defaultId !== id,
    rest: Object.entries(args).filter(([k]) => k !== firstKey),
  }
}
