// What Salt accepts per machine and per iteration: repeated IDs no machine renders together, requisites
// into conditional states, one ID with several modules, and the checks of forEach() bodies.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../compiler/compile.ts'

const PRELUDE = `import { cmd, eq, file, forEach, inventory, layer, not, pillar, pillarSchema, pkg, profile, service, sls, state, text, when, z } from 'salt-dsl'
pillarSchema(z.object({ repo: z.boolean(), users: z.record(z.string(), z.object({ shell: z.string() })) }))
layer('defaults/common', { repo: false, users: {} })
layer('environments/work', {})
layer('platforms/macos', { repo: true })
`
const FIRST = PRELUDE.split('\n').length

async function diagnose(body: string) {
  const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-per-machine-'))
  writeFileSync(join(dir, 'index.ts'), `${PRELUDE}${body}\n`)
  const result = await compile({ entry: dir, outDir: join(dir, 'out'), typecheck: false })
  return result.diagnostics
    .filter((d) => d.code !== 'DSL4011')
    .map((d) => ({ code: d.code, severity: d.severity, message: d.message, line: d.origin?.line }))
}

/** Two machines: 'mac' (repo: true) gets `macSls`, 'box' (repo: false) gets `boxSls`. */
const machines = (macSls: string, boxSls: string) => `
inventory({ machines: {
  mac: { platform: 'macos', environment: 'work', profile: profile('pm', { sls: [${macSls}] }) },
  box: { platform: 'ubuntu', environment: 'work', profile: profile('pb', { sls: [${boxSls}] }) },
} })`

describe('conditional requisites (Salt drops an _in with the state that declares it)', () => {
  it('a when() state with require_in / watch_in into an unconditional one is accepted', async () => {
    const ds = await diagnose(`const a = sls('a', () => {
  const p = pkg('tool')
  const s = service('toold')
  when(pillar.repo, () => { state('pkgrepo.managed', { name: 'deb x', require_in: [p] }) })
  when(pillar.repo, () => { file('/etc/toold.conf', { contents: 'x', watch_in: [s] }) })
})${machines('a', 'a')}`)
    expect(ds).toEqual([])
  })

  it('require: sls into an SLS with conditional members is accepted', async () => {
    const ds =
      await diagnose(`const repo = sls('repo', () => { when(pillar.repo, () => { pkg('repo-key') }) })
const b = sls('b', () => { cmd('use', { require: [repo], creates: '/x' }) })${machines('b', 'b')}`)
    expect(ds).toEqual([])
  })

  it('an unconditional require_in into a when() state is refused (Salt: "Cannot extend ID")', async () => {
    const ds = await diagnose(`const a = sls('a', () => {
  let p!: ReturnType<typeof pkg>
  when(pillar.repo, () => { p = pkg('tool') })
  cmd('prepare', { require_in: [p], creates: '/x' })
})${machines('a', 'a')}`)
    expect(ds).toEqual([
      expect.objectContaining({
        code: 'DSL4010',
        message: expect.stringMatching(/^machine 'box': 'prepare' has a require_in on 'tool'/),
        line: FIRST + 3,
      }),
    ])
  })

  it('a plain require into a when() state: only the machines where it is absent are reported', async () => {
    const body = `const a = sls('a', () => {
  let p!: ReturnType<typeof pkg>
  when(pillar.repo, () => { p = pkg('tool') })
  cmd('use', { require: [p], creates: '/x' })
})`
    expect(await diagnose(`${body}${machines('a', 'a')}`)).toEqual([
      expect.objectContaining({
        code: 'DSL4010',
        message: expect.stringMatching(/^machine 'box': 'use' has a require on 'tool'/),
      }),
    ])
    // the machine without the repo does not get this SLS: nothing to report
    const b = `\nconst other = sls('other', () => { pkg('curl') })`
    expect(await diagnose(`${body}${b}${machines('a', 'other')}`)).toEqual([])
  })
})

describe('duplicate IDs per machine', () => {
  it('the same ID in two SLS that no machine gets together is accepted', async () => {
    const ds = await diagnose(`const a = sls('a', () => { pkg('git') })
const b = sls('b', () => { pkg('git') })${machines('a', 'b')}`)
    expect(ds).toEqual([])
  })

  it('a machine that gets both is reported, by name', async () => {
    const ds = await diagnose(`const a = sls('a', () => { pkg('git') })
const b = sls('b', () => { pkg('git') })${machines('a, b', 'b')}`)
    expect(ds).toEqual([
      expect.objectContaining({
        code: 'DSL3001',
        message: `machine 'mac' and a new machine onboarded with profile 'pm': duplicate state ID 'git' (Salt: "Detected conflicting IDs")`,
        line: FIRST + 1,
      }),
    ])
  })

  it('a machine not registered yet may onboard with a profile that gets both: reported', async () => {
    const ds = await diagnose(`const a = sls('a', () => { pkg('git') })
const b = sls('b', () => { pkg('git') })
profile('both', { sls: [a, b] })${machines('a', 'b')}`)
    expect(ds).toEqual([
      expect.objectContaining({
        code: 'DSL3001',
        message: `a new machine onboarded with profile 'both': duplicate state ID 'git' (Salt: "Detected conflicting IDs")`,
      }),
    ])
  })

  it('the same ID under when(c) and when(not(c)) is accepted; a literal twice is refused', async () => {
    const ds = await diagnose(`const a = sls('a', () => {
  when(pillar.repo, () => { pkg('editor', { name: 'vim' }) })
  when(not(pillar.repo), () => { pkg('editor', { name: 'nano' }) })
  when(eq(pillar.repo, true), () => { file('/etc/x', { contents: '1' }) })
  when(eq(pillar.repo, false), () => { file('/etc/x', { contents: '2' }) })
  pkg('git')
  pkg('git')
})${machines('a', 'a')}`)
    expect(ds).toEqual([expect.objectContaining({ code: 'DSL3001', line: FIRST + 6 })])
  })
})

describe('one ID, several modules', () => {
  it("id: handle puts a state under another one's ID; the same module twice, or another SLS, is refused", async () => {
    const ok = await diagnose(`const a = sls('a', () => {
  const p = pkg('tomcat')
  service('tomcat', { id: p, require: [p] })
})${machines('a', 'a')}`)
    expect(ok).toEqual([])
    const ds = await diagnose(
      `const a = sls('a', () => {
  const p = pkg('tomcat')
  pkg('tomcat-admin', { id: p })
})
const b = sls('b', () => { service('tomcat', { id: a.p }) })${machines('a', 'a')}`.replace(
        "pkg('tomcat-admin', { id: p })\n})",
        "pkg('tomcat-admin', { id: p })\n  return { p }\n})",
      ),
    )
    expect(ds.map((d) => d.code).sort()).toEqual(['DSL3001', 'DSL3073'])
  })
})

describe('forEach() bodies are checked per iteration template', () => {
  const loop = (body: string) => `const a = sls('a', () => {
  forEach(pillar.users, (u, name) => {
${body}
  })
})${machines('a', 'a')}`

  it('an ID that does not depend on the loop is refused (every iteration declares it again)', async () => {
    const ds = await diagnose(loop(`    pkg('zsh')`))
    expect(ds).toEqual([expect.objectContaining({ code: 'DSL3072', line: FIRST + 2 })])
  })

  it('a cycle inside the body is a cycle', async () => {
    const ds = await diagnose(
      loop(`    const x: ReturnType<typeof cmd> = cmd(text\`a-\${name}\`, { creates: '/a', require: [() => y] })
    const y: ReturnType<typeof cmd> = cmd(text\`b-\${name}\`, { creates: '/b', require: [x] })`),
    )
    expect(ds.map((d) => d.code)).toEqual(['DSL3002'])
  })

  it('a requisite from outside the loop into its body cannot name one iteration', async () => {
    const ds = await diagnose(`const a = sls('a', () => {
  let inner!: ReturnType<typeof pkg>
  forEach(pillar.users, (u, name) => { inner = pkg(text\`pkg-\${name}\`) })
  cmd('after', { require: [inner], creates: '/x' })
})${machines('a', 'a')}`)
    expect(ds.map((d) => d.code)).toEqual(['DSL3071'])
  })

  it('a rendered ID that can equal a literal one is a warning', async () => {
    const ds = await diagnose(`const a = sls('a', () => {
  forEach(pillar.users, (u, name) => { pkg(text\`tool-\${name}\`, { name: u.shell }) })
  pkg('tool-x')
})${machines('a', 'a')}`)
    expect(ds).toEqual([expect.objectContaining({ code: 'DSL3070', severity: 'warning' })])
  })

  it('IDs from the pillar: the same template twice is refused, two that can render equal are a warning', async () => {
    const ds = await diagnose(`const a = sls('a', () => {
  pkg(text\`\${pillar.users}-a\`, { name: 'x' })
  pkg(text\`\${pillar.repo}-a\`, { name: 'y' })
  file(text\`/etc/\${pillar.repo}\`, { contents: '1' })
  file(text\`/etc/\${pillar.repo}\`, { contents: '2' })
})${machines('a', 'a')}`)
    // the first can equal the second, and the file's path (`/etc/q` + `-a` is `/etc/` + `q-a`)
    expect(ds.map((d) => `${d.code} ${d.severity} ${(d.line ?? 0) - FIRST}`).sort()).toEqual([
      'DSL3001 error 4',
      'DSL3070 warning 1',
      'DSL3070 warning 1',
    ])
  })

  it('forEach() over something that is not a lookup is refused', async () => {
    const ds = await diagnose(
      `const a = sls('a', () => { forEach(['a', 'b'] as never, () => {}) })${machines('a', 'a')}`,
    )
    expect(ds.map((d) => d.code)).toEqual(['DSL1060'])
  })
})
