import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EXPR } from '../../dsl/ir.ts'
import { STATE_RULES } from '../../dsl/schemas.ts'

const lookup = { [EXPR]: true, kind: 'pillar', path: ['a', 'b'] }

/** Values near every rule's edges: empty and odd strings, modes, paths, names, cron fields, numbers. */
const scalar = fc.oneof(
  fc.constantFrom('', 'git', '0644', '644', '0999', '/etc/x', '~bob/x', '~/x', 'rel/x', 'Bob', 'a b', 'x$'),
  fc.constantFrom('*', '*/5', '1,2', 'random', '60', '-1', '0o644', 'true'),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -3, max: 70 }),
  fc.constantFrom(0, 7, 12, 23, 31, 59, 60, 2 ** 53, 1.5, -0),
  fc.boolean(),
  fc.constant(null),
  fc.constant(lookup),
)
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'name'), scalar, { maxKeys: 2 }) },
)
const KEYS = [
  'name',
  'pkgs',
  'user',
  'group',
  'mode',
  'makedirs',
  'contents',
  'source',
  'dir_mode',
  'file_mode',
  'target',
  'content',
  'marker_start',
  'marker_end',
  'enable',
  'uid',
  'gid',
  'home',
  'shell',
  'groups',
  'addusers',
  'unless',
  'onlyif',
  'creates',
  'minute',
  'hour',
  'daymonth',
  'month',
  'dayweek',
  'extra',
]
const argMaps = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 8 })

describe('argument rules: the fast predicate next to the zod schema', () => {
  it('never accepts what zod rejects (so skipping zod loses no diagnostic)', () => {
    const accepted = new Map<string, number>()
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(STATE_RULES)), argMaps, (fn, args) => {
        const rule = STATE_RULES[fn]!
        if (!rule.ok(args)) return
        accepted.set(fn, (accepted.get(fn) ?? 0) + 1)
        expect(rule.zod.safeParse(args).success, `${fn} ${JSON.stringify(args)}`).toBe(true)
      }),
      { numRuns: 20_000 },
    )
    // not vacuous: the predicate said yes often enough, for most functions
    const total = [...accepted.values()].reduce((a, b) => a + b, 0)
    expect(total).toBeGreaterThan(1000)
    expect(accepted.size).toBeGreaterThan(Object.keys(STATE_RULES).length / 2)
  })

  it('accepts the ordinary arguments of each function itself (zod is only asked about the rest)', () => {
    const ordinary: Record<string, Record<string, unknown>> = {
      'pkg.installed': { name: 'git' },
      'pkg.removed': { name: 'x', pkgs: ['a', lookup] },
      'file.managed': {
        name: '/etc/x',
        user: 'root',
        group: 'root',
        mode: '0644',
        makedirs: true,
        contents: 'x\n',
      },
      'file.directory': { name: '~bob/.config', user: 'bob', dir_mode: '755' },
      'file.symlink': { name: '/etc/l', target: '/etc/x' },
      'service.running': { name: 'nginx', enable: lookup },
      'user.present': { name: 'bob', uid: 1000, home: '/home/bob', shell: '/bin/bash', groups: ['wheel'] },
      'group.present': { name: 'devs', gid: 2000, addusers: ['bob'] },
      'cmd.run': { name: 'make', creates: '/tmp/x', unless: ['test -f a', 'test -f b'] },
      'git.latest': { name: 'https://example.org/r.git', target: '/srv/r', user: 'bob' },
      'cron.present': { name: '/bin/job', user: 'bob', minute: 5, hour: '*/2', dayweek: 'random' },
      'archive.extracted': { name: '/opt/t', source: 'https://example.org/t.tgz' },
    }
    for (const [fn, args] of Object.entries(ordinary)) {
      const rule = STATE_RULES[fn]!
      expect(rule.zod.safeParse(args).success, fn).toBe(true)
      expect(rule.ok(args), fn).toBe(true)
    }
    // and what zod rejects, it refuses too
    expect(STATE_RULES['file.managed']!.ok({ name: '/x', contents: 'a', source: 'salt://b' })).toBe(false)
    expect(STATE_RULES['cron.present']!.ok({ name: '/bin/job', minute: 60 })).toBe(false)
    expect(STATE_RULES['user.present']!.ok({ name: 'bob', uid: -1 })).toBe(false)
  })
})
