// Forms of hand-written Salt the TypeScript says exactly: state() keeps the order its keys are written in
// (requisites among the arguments, `name` anywhere, a `name` equal to the ID), octal(644) is the integer mode
// Salt's YAML holds, byName(handle) names a requisite's state by its name, and an SLS lists its states in
// declaration order. Salt's render of the built tree equals its render of the same SLS written by hand, and an
// apply does what the hand-written one does.
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runs } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'
import { SaltOracle } from '../support/salt.ts'

/** A config of one SLS `forms` for one machine, whose body is `body` (TypeScript). */
function config(body: string): string {
  const dir = tempDir()
  writeFileSync(
    join(dir, 'index.ts'),
    [
      "import { byName, cmd, file, inventory, octal, profile, sls, state } from 'salt-dsl'",
      '',
      "export const forms = sls('forms', () => {",
      body,
      '})',
      "inventory({ machines: { m: { platform: 'debian', environment: 'personal', profile: profile('p', { sls: [forms] }) } } })",
      '',
    ].join('\n'),
  )
  return dir
}

describe('Salt forms state(), octal() and byName() write exactly', () => {
  let oracle: SaltOracle
  beforeAll(async () => {
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle.close()
  })

  it('renders as the hand-written SLS, and applies alike', async () => {
    // GIVEN a hand-written SLS using the forms, and the TypeScript saying the same
    const root = tempDir()
    const target = join(root, 'target')
    const hand = tempDir()
    writeFileSync(join(hand, 'top.sls'), "base:\n  '*':\n    - forms\n")
    writeFileSync(
      join(hand, 'forms.sls'),
      [
        // a requisite on a state declared further down, and on a state by its name
        'conf:',
        '  file.managed:',
        `    - name: ${target}`,
        '    - require:',
        '      - file: dir',
        '    - contents: hello',
        '    - mode: 640',
        'dir:',
        '  file.directory:',
        `    - name: ${root}/d`,
        '    - mode: 750',
        'greet:',
        '  cmd.run:',
        `    - cwd: ${root}`,
        '    - name: echo greeted',
        '    - onchanges:',
        `      - file: ${target}`,
        "'true':",
        '  cmd.run:',
        "    - name: 'true'",
        `    - cwd: ${root}`,
        '    - watch:',
        '      - cmd: greet',
        '    - require:',
        '      - file: conf',
        '',
      ].join('\n'),
    )
    const ts = config(
      [
        "  const conf = state('file.managed', {",
        `    name: '${target}',`,
        '    require: [() => dir],',
        "    contents: 'hello',",
        '    id: "conf",',
        '    mode: octal(640),',
        '  })',
        `  const dir = file('${root}/d', { id: 'dir', ensure: 'directory', mode: octal(750) })`,
        "  const greet = state('cmd.run', { id: 'greet', cwd: '" +
          root +
          "', name: 'echo greeted', onchanges: [byName(conf)] })",
        "  state('cmd.run', { id: 'true', name: 'true', cwd: '" +
          root +
          "', watch: [greet], require: [conf] })",
      ].join('\n'),
    )
    // WHEN it is built
    const out = join(tempDir(), 'out')
    const built = dsl(['build', ts, '--out', out])
    expect(built.status, built.stdout + built.stderr).toBe(0)
    // THEN Salt renders both alike: the same arguments in the same order, the same `order` numbers
    const theirs = await oracle.call(
      { id: 'm', fileRoot: hand, pillarRoot: join(out, 'pillar') },
      'state.show_highstate',
    )
    const ours = await oracle.call(
      { id: 'm', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') },
      'state.show_highstate',
    )
    const sls = (x: unknown) =>
      Object.fromEntries(
        Object.entries(x as Record<string, Record<string, unknown>>).map(([id, b]) => [
          id,
          Object.fromEntries(Object.entries(b).filter(([k]) => k !== '__sls__')),
        ]),
      )
    expect(sls(ours.data)).toEqual(sls(theirs.data))
    expect((theirs.data as Record<string, { file: unknown[] }>).conf?.file).toContainEqual({ mode: 640 })
    // AND an apply of the built tree creates the file with mode 0640, the directory with 0750, and runs the
    // command that names the file by its name
    const applied = await oracle.call(
      { id: 'm', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') },
      'state.apply',
    )
    const results = runs(applied.data)
    expect(
      results.map((r) => [r.__id__, r.result]),
      JSON.stringify(applied.data),
    ).toEqual([
      ['dir', true],
      ['conf', true],
      ['greet', true],
      ['true', true],
    ])
    expect(statSync(target).mode & 0o7777).toBe(0o640)
    expect(statSync(join(root, 'd')).mode & 0o7777).toBe(0o750)
    expect(results.find((r) => r.__id__ === 'greet')?.changes).toMatchObject({ stdout: 'greeted' })
  })

  it('refuses a byName() that Salt would bind to another state too, and a mode octal() cannot be', () => {
    const found = (body: string[]) => {
      const run = dsl(['check', config(body.join('\n')), '--format', 'json'])
      expect(run.status, run.stdout + run.stderr).toBe(1)
      return (JSON.parse(run.stdout).diagnostics as { code: string; message: string; line: number }[]).map(
        (d) => [d.code, d.line, d.message],
      )
    }
    expect(
      found([
        "  const a = file('/tmp/salt-dsl-forms-a', { id: 'a', contents: 'x' })",
        "  file('/tmp/salt-dsl-forms-a', { id: 'b', contents: 'y' })",
        "  cmd('true', { onchanges: [byName(a)] })",
      ]),
    ).toEqual([
      [
        'DSL3062',
        6,
        "byName('a') in the onchanges of 'true' would also bind 'b': Salt matches `file: /tmp/salt-dsl-forms-a` against the ID and the name of every file state",
      ],
    ])
    // naming both states Salt binds by that name is what Salt does: one line, both bound
    const both = config(
      [
        "  const a = file('/tmp/salt-dsl-forms-a', { id: 'a', contents: 'x' })",
        "  const b = file('/tmp/salt-dsl-forms-a', { id: 'b', contents: 'y' })",
        "  cmd('true', { onchanges: [byName(a, b)] })",
      ].join('\n'),
    )
    const out = join(tempDir(), 'out')
    const built = dsl(['build', both, '--out', out])
    expect(built.status, built.stdout + built.stderr).toBe(0)
    expect(readFileSync(join(out, 'salt', 'forms.sls'), 'utf8')).toContain(
      "'true':\n  cmd.run:\n    - onchanges:\n      - file: /tmp/salt-dsl-forms-a\n",
    )
    // a requisite on an SLS declaring no state in TypeScript would bind nothing: refused, not dropped
    expect(
      found([
        "  const empty = sls('empty', () => {})",
        "  file('/tmp/salt-dsl-forms-d', { contents: 'd', require: [empty] })",
      ]),
    ).toContainEqual([
      'DSL1017',
      5,
      "a `require` entry of '/tmp/salt-dsl-forms-d' names SLS 'empty', which declares no state in TypeScript",
    ])
    expect(found(["  file('/tmp/salt-dsl-forms-c', { contents: 'z', mode: octal(648) })"])).toEqual([
      ['DSL1016', 4, 'octal(648): a mode is one to four octal digits (0-7)'],
    ])
  })
})
