// The config runs in the compiler's own realm (it shares the authoring API's objects with it), so it
// shares the builtins too: a config that replaces `JSON.stringify`, `Array.prototype.map` or
// `process.stdout.write`, or defines `process.exitCode` as a getter of 0, would make the compiler write
// a wrong tree, print nothing, or exit 0 after errors. The builtins the compiler relies on are
// recorded before the config runs and compared after: a change is put back, and reported.

/** The objects checked, by the name a diagnostic gives them (looked up when the window opens). */
function watched(): [string, object][] {
  const proto = (name: string, ctor: { prototype: object }): [string, object][] => [
    [name, ctor],
    [`${name}.prototype`, ctor.prototype],
  ]
  const typedArray = Object.getPrototypeOf(Uint8Array) as { prototype: object }
  return [
    ['globalThis', globalThis],
    ...proto('Object', Object),
    ...proto('Function', Function),
    ...proto('Array', Array),
    ...proto('String', String),
    ...proto('Number', Number),
    ...proto('Boolean', Boolean),
    ...proto('Symbol', Symbol),
    ...proto('BigInt', BigInt),
    ...proto('Map', Map),
    ...proto('Set', Set),
    ...proto('WeakMap', WeakMap),
    ...proto('WeakSet', WeakSet),
    ...proto('Promise', Promise),
    ...proto('RegExp', RegExp),
    ...proto('Date', Date),
    ...proto('Error', Error),
    ...proto('TypedArray', typedArray),
    ...proto('Uint8Array', Uint8Array),
    ...proto('Buffer', Buffer),
    ...proto('TextEncoder', TextEncoder),
    ...proto('TextDecoder', TextDecoder),
    ['JSON', JSON],
    ['Math', Math],
    ['Reflect', Reflect],
    ['console', console],
    ['process', process],
    ['process.stdout', process.stdout],
    ['process.stderr', process.stderr],
  ]
}

/** Our own marks on globalThis (the session, the run's arguments): not the config's doing. */
const OURS = /^Symbol\(salt-dsl\./

/** An emitter's own bookkeeping, which changes as listeners come and go. */
const BOOKKEEPING: ReadonlySet<string | symbol> = new Set(['_events', '_eventsCount', '_maxListeners'])

/** Objects whose plain values change as they work (a stream's counters): only their methods are checked. */
const LIVE: ReadonlySet<string> = new Set(['process', 'process.stdout', 'process.stderr'])

interface Recorded {
  readonly name: string
  readonly target: object
  readonly proto: object | null
  readonly extensible: boolean
  readonly props: Map<string | symbol, PropertyDescriptor>
}

/** What the config changed: put back, or (frozen, sealed) beyond putting back. */
export interface BuiltinsChanged {
  readonly changed: readonly string[]
  readonly stuck: readonly string[]
}

/** Set once a config changed a builtin beyond repair: this process builds nothing more. */
let poisoned: readonly string[] = []

/** The builtins a config of this process changed for good (none: it can still build). */
export const stuckBuiltins = (): readonly string[] => poisoned

/**
 * Records the builtins; the function returned puts back what changed since and names it (the
 * `process` methods the exit guard replaced are recorded as replaced: it is installed first).
 */
export function recordBuiltins(): () => BuiltinsChanged {
  const recorded: Recorded[] = watched().map(([name, target]) => {
    const props = new Map<string | symbol, PropertyDescriptor>()
    for (const key of Reflect.ownKeys(target)) {
      const d = Reflect.getOwnPropertyDescriptor(target, key)
      if (d !== undefined) props.set(key, d)
    }
    const proto = Reflect.getPrototypeOf(target)
    return { name, target, proto, extensible: Reflect.isExtensible(target), props }
  })
  return () => {
    const changed: string[] = []
    const stuck: string[] = []
    for (const { name, target, proto, extensible, props } of recorded) {
      const where = (key: string | symbol) =>
        `${name}${typeof key === 'symbol' ? `[${String(key)}]` : `.${key}`}`
      const put = (what: string, done: boolean) => (done ? changed : stuck).push(what)
      if (Reflect.getPrototypeOf(target) !== proto)
        put(`the prototype of ${name}`, Reflect.setPrototypeOf(target, proto))
      // a frozen, sealed or non-extensible object stays so
      if (extensible && !Reflect.isExtensible(target)) stuck.push(name)
      for (const key of Reflect.ownKeys(target)) {
        if (props.has(key) || BOOKKEEPING.has(key)) continue
        // a global the config declares is its own business, and so is a stream's state; a property
        // added to a builtin is not
        if (target === globalThis) continue
        const added = Reflect.getOwnPropertyDescriptor(target, key)
        if (added === undefined || isUndefined(added)) continue
        if (LIVE.has(name) && typeof added.value !== 'function') continue
        put(where(key), Reflect.deleteProperty(target, key))
      }
      for (const [key, was] of props) {
        if (typeof key === 'symbol' && OURS.test(String(key))) continue
        if (BOOKKEEPING.has(key)) continue
        if (LIVE.has(name) && was.get === undefined && typeof was.value !== 'function') continue
        const now = Reflect.getOwnPropertyDescriptor(target, key)
        if (now !== undefined && same(was, now)) continue
        // a lazy global of Node's (a getter that turns into a value when first read) is not a change
        if (target === globalThis && was.get !== undefined && now !== undefined && 'value' in now) continue
        put(where(key), Reflect.defineProperty(target, key, was))
      }
    }
    if (stuck.length > 0) poisoned = [...poisoned, ...stuck]
    return { changed, stuck }
  }
}

/** A property set back to undefined where it had been absent (as a stack capture does with prepareStackTrace). */
const isUndefined = (d: PropertyDescriptor) =>
  d.get === undefined && d.set === undefined && d.value === undefined

function same(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return (
    Object.is(a.value, b.value) &&
    a.get === b.get &&
    a.set === b.set &&
    a.writable === b.writable &&
    a.enumerable === b.enumerable &&
    a.configurable === b.configurable
  )
}
