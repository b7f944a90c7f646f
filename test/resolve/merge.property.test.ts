// fast-check: the merge equals a reference model of Salt's dictupdate.update, and layer order is respected.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Data, pyEqual, smartMerge } from '../../compiler/resolve/merge.ts'

type Dict = { [key: string]: Data }

/** Reference: a line-by-line model of salt.utils.dictupdate.update on a deep copy (mutating, like Python). */
function reference(dest: Dict, upd: Dict, mergeLists: boolean): Dict {
  const copy = structuredClone(dest) as Dict
  // a Python dict: `k in d` is an own key, `d[k] = v` defines it (whatever its name, `__proto__` too)
  const has = (d: Dict, k: string) => Object.hasOwn(d, k)
  const set = (d: Dict, k: string, v: Data) =>
    Object.defineProperty(d, k, { value: v, enumerable: true, writable: true, configurable: true })
  const update = (d: Dict, u: Dict): Dict => {
    const common = Object.keys(u).some((k) => has(d, k))
    if (!common) {
      for (const k of Object.keys(u)) set(d, k, u[k]!)
      return d
    }
    for (const k of Object.keys(u)) {
      const val = u[k]!
      const sub = has(d, k) ? d[k] : undefined
      const isMap = (x: unknown): x is Dict => typeof x === 'object' && x !== null && !Array.isArray(x)
      if (isMap(sub) && isMap(val)) set(d, k, update(sub, val))
      else if (Array.isArray(sub) && Array.isArray(val) && mergeLists) {
        const merged = structuredClone(sub) as Data[]
        const add = (val as Data[]).filter((x) => !merged.some((y) => pyEqual(x, y)))
        merged.push(...add)
        set(d, k, merged)
      } else set(d, k, val)
    }
    return d
  }
  return update(copy, upd)
}

const key = fc.constantFrom('a', 'b', 'c', 'd')
const leaf = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.boolean(),
  fc.constantFrom('x', 'y'),
  fc.constant(null),
)
const { data } = fc.letrec<{ data: Data; dict: Dict }>((tie) => ({
  data: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('data'), { maxLength: 3 }), tie('dict')),
  dict: fc.dictionary(key, tie('data'), { maxKeys: 4 }) as fc.Arbitrary<Dict>,
}))
const dict = fc.dictionary(key, data, { maxKeys: 4 }) as fc.Arbitrary<Dict>

describe('smartMerge', () => {
  it.each([false, true])('equals the reference model (merge_lists=%s)', (mergeLists) => {
    fc.assert(
      fc.property(dict, dict, (a, b) => {
        expect(smartMerge(a, b, mergeLists)).toEqual(reference(a, b, mergeLists))
      }),
      { numRuns: 500 },
    )
  })

  it('the later layer wins on every scalar it sets', () => {
    fc.assert(
      fc.property(fc.array(dict, { minLength: 1, maxLength: 5 }), (layers) => {
        const merged = layers.reduce<Dict>((acc, l) => smartMerge(acc, l, false) as Dict, {})
        const last = layers.at(-1)!
        for (const [k, v] of Object.entries(last)) {
          if (v === null || typeof v !== 'object' || Array.isArray(v)) expect(merged[k]).toEqual(v)
        }
      }),
    )
  })

  it('does not mutate its inputs', () => {
    fc.assert(
      fc.property(dict, dict, fc.boolean(), (a, b, ml) => {
        const [ca, cb] = [structuredClone(a), structuredClone(b)]
        smartMerge(a, b, ml)
        expect([a, b]).toEqual([ca, cb])
      }),
    )
  })

  it('keys are data, whatever their name: __proto__, constructor, toString... (key names from fast-check)', () => {
    // names a JavaScript object has (or inherits) a member by, and any other text
    const name = fc.oneof(
      fc.constantFrom(
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'hasOwnProperty',
        'valueOf',
        '__defineGetter__',
        'a',
      ),
      fc.string({ maxLength: 3 }),
    )
    const { named } = fc.letrec<{ named: Data; namedDict: Dict }>((tie) => ({
      named: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('named'), { maxLength: 2 }),
        tie('namedDict'),
      ),
      namedDict: fc.dictionary(name, tie('named'), { maxKeys: 4 }) as fc.Arbitrary<Dict>,
    }))
    const namedDict = fc.dictionary(name, named, { maxKeys: 5 }) as fc.Arbitrary<Dict>
    fc.assert(
      fc.property(namedDict, namedDict, fc.boolean(), (a, b, ml) => {
        const merged = smartMerge(a, b, ml)
        expect(merged).toEqual(reference(a, b, ml))
        // every key of either side is an own key of the result, and nothing leaked into a prototype
        for (const k of [...Object.keys(a), ...Object.keys(b)]) expect(Object.hasOwn(merged, k), k).toBe(true)
        expect(Object.keys(merged).length).toBe(new Set([...Object.keys(a), ...Object.keys(b)]).size)
        const proto: unknown = Object.getPrototypeOf(merged)
        expect(proto === Object.prototype || proto === null).toBe(true)
        for (const k of Object.keys(b)) {
          const v = b[k]!
          if (v === null || typeof v !== 'object') expect(merged[k], k).toBe(v)
        }
      }),
      { numRuns: 500 },
    )
    expect(Object.keys(Object.prototype)).toEqual([])
  })
})
