import type { LowChunk } from './lowstate.ts'

/** Keys of a rendered state that are bookkeeping, not what it does. */
const VOLATILE = new Set(['order', '__run_num__', '__env__', '__sls__', '__id__', 'state', 'fun', 'name'])
const REQUISITE = /^(require|watch|onchanges|prereq|listen|onfail|use)(_any)?(_in)?$/

export interface ArgChange {
  readonly key: string
  readonly before?: unknown
  readonly after?: unknown
}

export interface StateDiff {
  /** `file.managed ~ada/.gitconfig` */
  readonly state: string
  readonly id: string
  readonly sls: string
  readonly args?: readonly ArgChange[]
  readonly requisites?: { readonly added: readonly string[]; readonly removed: readonly string[] }
  /** The SLS it moved from. */
  readonly movedFrom?: string
}

export interface PillarChange {
  readonly key: string
  readonly change: 'added' | 'removed' | 'changed'
  readonly before?: unknown
  readonly after?: unknown
  readonly masked?: boolean
}

/** One machine's difference between two builds, as Salt renders each for it. */
export interface MachineDiff {
  readonly machine: string
  readonly added: readonly StateDiff[]
  readonly removed: readonly StateDiff[]
  readonly changed: readonly StateDiff[]
  readonly pillar: readonly PillarChange[]
  /** Salt could not render a side (its errors). */
  readonly errors: readonly string[]
}

/** Compares two renderings of one machine: states (arguments, requisites, SLS) and pillar keys. */
export function diffMachine(
  machine: string,
  before: { chunks: readonly LowChunk[]; pillar: Record<string, unknown> },
  after: { chunks: readonly LowChunk[]; pillar: Record<string, unknown> },
  secret: (key: string, value?: unknown) => boolean,
): Omit<MachineDiff, 'errors'> {
  const a = byState(before.chunks)
  const b = byState(after.chunks)
  const added: StateDiff[] = []
  const removed: StateDiff[] = []
  const changed: StateDiff[] = []
  for (const [key, c] of b) if (!a.has(key)) added.push(head(c))
  for (const [key, c] of a) if (!b.has(key)) removed.push(head(c))
  for (const [key, cb] of b) {
    const ca = a.get(key)
    if (ca === undefined) continue
    const args = argChanges(ca, cb)
    const ra = requisites(ca)
    const rb = requisites(cb)
    const req = { added: rb.filter((r) => !ra.includes(r)), removed: ra.filter((r) => !rb.includes(r)) }
    const moved = ca.__sls__ !== cb.__sls__ ? { movedFrom: String(ca.__sls__) } : {}
    if (args.length || req.added.length || req.removed.length || 'movedFrom' in moved)
      changed.push({
        ...head(cb),
        ...(args.length ? { args } : {}),
        ...(req.added.length || req.removed.length ? { requisites: req } : {}),
        ...moved,
      })
  }
  return { machine, added, removed, changed, pillar: pillarChanges(before.pillar, after.pillar, secret) }
}

function byState(chunks: readonly LowChunk[]): Map<string, LowChunk> {
  const out = new Map<string, LowChunk>()
  for (const c of chunks) out.set(`${c.state}.${c.fun} ${c.__id__}`, c)
  return out
}

const head = (c: LowChunk): StateDiff => ({
  state: `${c.state}.${c.fun} ${c.name}`,
  id: c.__id__,
  sls: String(c.__sls__ ?? ''),
})

function argChanges(a: LowChunk, b: LowChunk): ArgChange[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (k) => !VOLATILE.has(k) && !REQUISITE.test(k),
  )
  const out: ArgChange[] = []
  for (const key of keys.sort()) {
    if (JSON.stringify(a[key]) === JSON.stringify(b[key])) continue
    out.push({ key, ...(key in a ? { before: a[key] } : {}), ...(key in b ? { after: b[key] } : {}) })
  }
  if (a.name !== b.name) out.unshift({ key: 'name', before: a.name, after: b.name })
  return out
}

/** `require file: /etc/x` per requisite entry, sorted. */
function requisites(c: LowChunk): string[] {
  const out: string[] = []
  for (const [key, value] of Object.entries(c)) {
    if (!REQUISITE.test(key) || !Array.isArray(value)) continue
    for (const item of value)
      if (typeof item === 'string') out.push(`${key} ${item}`)
      else for (const [m, t] of Object.entries(item as Record<string, unknown>)) out.push(`${key} ${m}: ${t}`)
  }
  return out.sort()
}

function pillarChanges(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  secret: (key: string, value?: unknown) => boolean,
): PillarChange[] {
  const fa = flatten(a)
  const fb = flatten(b)
  const out: PillarChange[] = []
  for (const key of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const va = fa.get(key)
    const vb = fb.get(key)
    const hidden = secret(key, va) || secret(key, vb)
    const mask = (_: string, v: unknown) => (hidden ? '********' : v)
    const masked = hidden ? { masked: true } : {}
    if (!fa.has(key)) out.push({ key, change: 'added', after: mask(key, vb), ...masked })
    else if (!fb.has(key)) out.push({ key, change: 'removed', before: mask(key, va), ...masked })
    else if (JSON.stringify(va) !== JSON.stringify(vb))
      out.push({ key, change: 'changed', before: mask(key, va), after: mask(key, vb), ...masked })
  }
  return out
}

/** Leaves by Salt's `a:b:c` key path (lists are leaves). */
function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.length === 0 && prefix) out.set(prefix, {})
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}:${k}` : k, out)
  } else if (prefix) out.set(prefix, value)
  return out
}
