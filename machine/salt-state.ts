/**
 * One state in Salt's high data: `{ module: [fun, {arg: value}, …] }`, each argument its own one-key
 * mapping as an SLS writes it (Salt reads requisite_in and order from the first key of each mapping only).
 */
export function saltState(
  module: string,
  fun: string,
  args: Readonly<Record<string, unknown>>,
): Record<string, unknown[]> {
  return { [module]: [fun, ...Object.entries(args).map(([k, v]) => ({ [k]: v }))] }
}
