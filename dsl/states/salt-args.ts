// Builder options derived from the catalog of the pinned Salt: each builder types the arguments it knows
// better than the catalog does, and takes every other argument of the function it wraps as Salt's own
// (typed as the catalog types it, with Salt's documentation as hover text). Every argument accepts a
// pillar or grains lookup of its type.
import type { SaltStateArgs } from '../catalog/salt-states.ts'
import type { Lookup } from '../expr.ts'
import type { GlobalArgs } from '../state.ts'

/** A value, or a pillar or grains lookup (or `byPlatform`) Salt resolves to one when it renders. */
export type Val<T> = T | Lookup<T>

/**
 * The arguments of Salt's `F` that `Own` (the builder's own, narrower types) does not give, and Salt's
 * global arguments (`unless`, `onlyif`, `names`, `retry`, ...). `name` is the builder's first parameter;
 * `extra` is `state()`'s alone.
 */
export type SaltArgs<F extends keyof SaltStateArgs, Own = object> = Omit<
  SaltStateArgs[F],
  'name' | 'extra' | keyof Own
> &
  Omit<GlobalArgs, keyof Own>

/** The argument names of Salt's `F` a builder's options `O` do not take (for the coverage test). */
export type Uncovered<F extends keyof SaltStateArgs, O> = Exclude<
  keyof SaltStateArgs[F],
  'name' | 'extra' | keyof O
>
