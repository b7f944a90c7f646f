import type { Cond } from '../../dsl/ir.ts'

/** A structural identity for a condition: two `when(pillar.x)` calls give equal keys. */
export const condKey = (c: Cond): string => JSON.stringify(c)
