// Coded diagnostics of the resolve stage, each from a small config: the code, the machine, the key path and
// the file:line of the layer (or state) that caused it.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../compiler/compile.ts'

const PRELUDE = `import { byPlatform, inventory, layer, pillarSchema, pkg, profile, sls, when, z, cmd, pillar } from 'salt-dsl'
const schema = pillarSchema(z.object({ shell: z.string(), editor: z.enum(['vi', 'emacs']), tags: z.array(z.string()).optional() }))
layer('defaults/common', { shell: '/bin/bash', editor: 'vi' })
const base = sls('base', () => { pkg('git') })
const p = profile('minimal', { sls: [base] })
`
// line numbers of the case's own text start after the prelude
const FIRST = PRELUDE.split('\n').length

async function diagnose(body: string) {
  const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-diag-'))
  writeFileSync(join(dir, 'index.ts'), `${PRELUDE}${body}\n`)
  const result = await compile({ entry: dir, outDir: join(dir, 'out'), typecheck: false })
  return result.diagnostics.map((d) => ({
    code: d.code,
    message: d.message,
    line: d.origin?.line,
    related: d.related,
  }))
}

const machines = (extra = '') => `inventory({ machines: {
  'mac': { platform: 'macos', environment: 'work', profile: p },
  'box': { platform: 'ubuntu', environment: 'work', profile: p },${extra}
} })
layer('environments/work', {})`

describe('resolve diagnostics', () => {
  it('DSL4001: an invalid value names the machines, the key and the layer line', async () => {
    const ds = await diagnose(`${machines()}\nlayer('platforms/macos', {\n  editor: 'nano',\n})`)
    expect(ds).toEqual([
      expect.objectContaining({
        code: 'DSL4001',
        message: expect.stringMatching(
          /^machine 'mac': invalid pillar value at 'editor' \(set by layer 'platforms\/macos'\)/,
        ),
        line: FIRST + 6,
      }),
    ])
  })

  it('DSL4002: a required key missing on one machine only, at its inventory entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-diag-'))
    const text = `import { inventory, layer, pillarSchema, pkg, profile, sls, z } from 'salt-dsl'
pillarSchema(z.object({ shell: z.string() }))
const p = profile('minimal', { sls: [sls('base', () => { pkg('git') })] })
layer('platforms/macos', { shell: '/bin/zsh' })
inventory({ machines: {
  mac: { platform: 'macos', environment: 'work', profile: p },
  box: { platform: 'ubuntu', environment: 'work', profile: p },
} })
layer('environments/work', {})
`
    writeFileSync(join(dir, 'index.ts'), text)
    const result = await compile({ entry: dir, outDir: join(dir, 'out'), typecheck: false })
    const ds = result.diagnostics.map((d) => ({ code: d.code, message: d.message, line: d.origin?.line }))
    expect(ds).toEqual([
      {
        code: 'DSL4002',
        message: expect.stringMatching(/^machine 'box': required pillar key 'shell' is missing/),
        line: 7,
      },
    ])
  })

  it('DSL4003: an unknown key points at the layer key', async () => {
    const ds = await diagnose(`${machines()}\nlayer('users/default', {\n  shel: 'x',\n} as never)`)
    expect(ds).toEqual([
      expect.objectContaining({
        code: 'DSL4003',
        message: "machines 'mac', 'box': unknown pillar key 'shel'",
        line: FIRST + 6,
      }),
    ])
  })

  it('DSL4004: a lookup pillar.get cannot address; a layer key holding : is legal pillar data', async () => {
    const ds = await diagnose(
      `${machines()}\nlayer('environments/home', { 'a:b': 1 } as never)\nsls('s', () => { cmd('true', { unless: (pillar as any)['x:y'] }) })`,
    )
    expect(ds.map((d) => [d.code, d.message])).toEqual([
      ['DSL4004', "lookup pillar.x:y in 'true' has a key containing ':'"],
    ])
  })

  it('DSL4005: byPlatform lacks the platform of a machine that gets the state', async () => {
    const unused = `${machines()}\nprofile('dev', { sls: [sls('tools', () => { pkg(byPlatform({ ubuntu: 'fd-find' }), { id: 'fd' }) })] })`
    expect(await diagnose(unused)).toEqual([]) // no machine has the 'dev' profile
    const hit = await diagnose(
      `const tools = sls('tools', () => { pkg(byPlatform({ ubuntu: 'fd-find' }), { id: 'fd' }) })\nconst d = profile('dev', { sls: [tools] })\n${machines().replace(/profile: p/g, 'profile: d')}`,
    )
    expect(hit).toEqual([
      expect.objectContaining({
        code: 'DSL4005',
        message: "byPlatform in 'fd' has no value for 'macos', which machine 'mac' runs",
        line: FIRST,
      }),
    ])
    const covered = await diagnose(
      `const tools = sls('tools', () => { pkg(byPlatform({ ubuntu: 'fd-find', default: 'fd' }), { id: 'fd' }) })\nconst d = profile('dev', { sls: [tools] })\n${machines().replace(/profile: p/g, 'profile: d')}`,
    )
    expect(covered).toEqual([]) // a default covers every other platform
  })

  it('DSL4010: a requisite from an unconditional state into a when() one', async () => {
    const ds = await diagnose(`sls('w', () => {
  let tool!: ReturnType<typeof pkg>
  when(pillar.tags, () => { tool = pkg('tool') })
  cmd('use-tool', { require: [tool], creates: '/tmp/x' })
})`)
    expect(ds).toEqual([expect.objectContaining({ code: 'DSL4010', line: FIRST + 3 })])
  })
})
