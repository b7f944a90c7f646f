/**
 * Salt's pillar merge (`pillar_source_merging_strategy: smart` with the YAML renderer, i.e. `recurse`):
 * `salt.utils.dictupdate.update` applied layer after layer, in pillar top-file order.
 */

export type Data = null | boolean | number | string | readonly Data[] | { readonly [key: string]: Data }
type Dict = { readonly [key: string]: Data }

export const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Merges `upd` into a copy of `dest`: dicts recursively, later wins; lists replaced, or, with `mergeLists`,
 * extended by the items of `upd` not already in `dest` (compared as Python compares them).
 * @example
 * smartMerge({ a: { x: 1 }, l: [1] }, { a: { y: 2 }, l: [2] }, false) // { a: { x: 1, y: 2 }, l: [2] }
 */
export function smartMerge(dest: Dict, upd: Dict, mergeLists: boolean): Dict {
  // a copy by spread defines each key, `__proto__` included; so does `put`, where `out[key] =` would set
  // the prototype for that key
  const out: Record<string, Data> = { ...dest }
  for (const key of Object.keys(upd)) {
    const val = upd[key]!
    const prev = Object.hasOwn(out, key) ? out[key] : undefined
    if (isDict(prev) && isDict(val)) put(out, key, smartMerge(prev, val, mergeLists))
    else if (mergeLists && Array.isArray(prev) && Array.isArray(val)) {
      const base = prev as readonly Data[]
      put(out, key, [...base, ...(val as readonly Data[]).filter((x) => !base.some((y) => pyEqual(x, y)))])
    } else put(out, key, val)
  }
  return out
}

function put(out: Record<string, Data>, key: string, value: Data): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true })
  else out[key] = value
}

/** Python's `==` on data loaded from YAML: `1 == 1.0 == True`, dicts and lists compared deeply. */
export function pyEqual(a: Data, b: Data): boolean {
  const num = (v: Data) => (typeof v === 'boolean' ? Number(v) : v)
  const [x, y] = [num(a), num(b)]
  if (typeof x === 'number' || typeof y === 'number') return x === y
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false
    return x.every((item, i) => pyEqual(item, y[i] as Data))
  }
  if (isDict(x) || isDict(y)) {
    if (!isDict(x) || !isDict(y)) return false
    const keys = Object.keys(x)
    return (
      keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && pyEqual(x[k]!, y[k]!))
    )
  }
  return x === y
}

/** The value at `path`, or undefined. */
export function getPath(data: Data | undefined, path: readonly (string | number)[]): Data | undefined {
  let cur: Data | undefined = data
  for (const key of path) {
    if (Array.isArray(cur) && typeof key === 'number') cur = (cur as readonly Data[])[key]
    else if (isDict(cur) && Object.hasOwn(cur, String(key))) cur = cur[String(key)]
    else return undefined
  }
  return cur
}
