import { type Accessor, makeAccessor } from './expr.ts'

/**
 * Declaration-merge your pillar type here to get typed `pillar` lookups:
 * `declare module 'salt-dsl' { interface Register { pillar: MyPillar } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by user code through declaration merging
export interface Register {}

export type PillarData = Register extends { pillar: infer P } ? P : Record<string, any>

/** The core grains salt-dsl relies on (any other grain is reachable as `grains.x` too). */
export interface Grains {
  readonly id: string
  readonly os: string
  readonly os_family: string
  readonly kernel: string
  readonly osfinger: string
  readonly osrelease: string
  readonly osmajorrelease: number
  readonly init: string
  readonly cpuarch: string
  readonly [grain: string]: unknown
}

/**
 * The machine's merged pillar, read by Salt when it renders the SLS.
 * @example
 * dotfile('.gitconfig', { user: 'alice', source: 'files/gitconfig', template: 'jinja', context: { email: pillar.git.email } })
 * // - context:
 * //     email: {{ dsl_yaml(salt['pillar.get']("git:email")) }}
 */
export const pillar: Accessor<PillarData> = makeAccessor('pillar', [])

/**
 * The machine's grains, read by Salt when it renders the SLS.
 * @example
 * when(eq(grains.os_family, 'Debian'), () => { pkg('apt-transport-https') })
 * // {% if grains['os_family'] == 'Debian' %} ... {% endif %}
 */
export const grains: Accessor<Grains> = makeAccessor('grain', [])
