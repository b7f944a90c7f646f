import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseTarget, selectTargets, TARGET_KEYS } from '../../dsl/fleet-target.ts'

const machines = [
  { id: 'desk', profile: 'work', environment: 'work', platform: 'ubuntu' },
  { id: 'nas', profile: 'minimal', environment: 'personal', platform: 'debian', via: 'ssh' },
  { id: 'box', profile: 'work', environment: 'personal', platform: 'debian', via: 'master' },
]
const select = (text: string) => {
  const parsed = parseTarget(text)
  return 'terms' in parsed ? selectTargets(machines, parsed.terms).map((m) => m.id) : parsed.problem
}

describe('fleet targets select machines of the inventory only', () => {
  it('reads each key, unions comma-separated terms, keeps inventory order', () => {
    expect(select('profile=work')).toEqual(['desk', 'box'])
    expect(select('via=local')).toEqual(['desk'])
    expect(select('platform=debian, machine=desk')).toEqual(['desk', 'nas', 'box'])
    expect(select('*')).toEqual(['desk', 'nas', 'box'])
    expect(select('machine=stranger')).toEqual([])
  })

  it('refuses what is not a term', () => {
    expect(select('profil=work')).toMatch(/^'profil=work' is not a target term/)
    expect(select('profile=')).toMatch(/is not a target term/)
    expect(select('desk')).toMatch(/is not a target term/)
  })

  it('never selects a machine outside the inventory, whatever the target', () => {
    const value = fc.constantFrom('work', 'minimal', 'desk', 'nas', 'debian', 'ssh', 'x', '*')
    const term = fc.oneof(
      fc.constant('*'),
      fc.tuple(fc.constantFrom(...TARGET_KEYS), value).map(([k, v]) => `${k}=${v}`),
    )
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 4 }), (terms) => {
        const parsed = parseTarget(terms.join(','))
        if (!('terms' in parsed)) return false
        const chosen = selectTargets(machines, parsed.terms)
        return chosen.every((m) => machines.includes(m)) && new Set(chosen).size === chosen.length
      }),
    )
  })
})
