import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GRAINS, type MinionSpec, SaltOracle, type SaltResult, saltCall } from '../support/salt.ts'

// GIVEN a hand-written tree: common.sls for every machine, arch.sls only where os_family is Arch,
// pillar only for Arch and Debian machines, and a few broken files for the error cases.
let base: string
let oracle: SaltOracle
let target: string
let specs: Record<'host' | 'arch' | 'macos' | 'brokenPillar', MinionSpec>
const timings: string[] = []

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
}

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const start = performance.now()
  const value = await f()
  timings.push(`${label}: ${(performance.now() - start).toFixed(0)} ms`)
  return value
}

/** The same call through both paths: one real salt-call, one oracle call; both with passthrough. */
async function both(spec: MinionSpec, fun: string, args: string[] = []): Promise<[SaltResult, SaltResult]> {
  return Promise.all([saltCall(spec, fun, args, { retcodePassthrough: true }), oracle.call(spec, fun, args)])
}

/** Apply results without the per-run fields. */
function stable(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => {
      const { start_time: _s, duration: _d, ...rest } = v as Record<string, unknown>
      return [k, rest]
    }),
  )
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'salt-harness-'))
  target = join(base, 'applied', 'greeting.txt')
  writeTree(join(base, 'salt'), {
    'top.sls': "base:\n  '*':\n    - common\n  'os_family:Arch':\n    - match: grain\n    - arch\n",
    'common.sls': [
      'greeting:',
      '  file.managed:',
      `    - name: ${target}`,
      '    - makedirs: true',
      "    - contents: {{ pillar.get('greeting', 'none') }} from {{ grains['os'] }}",
      '',
    ].join('\n'),
    'arch.sls': 'pacman-only:\n  test.nop:\n    - name: pacman\n',
    'yamlerr.sls': 'broken:\n  test.nop:\n    - name: [unclosed\n',
    'fails.sls': 'doomed:\n  test.fail_without_changes: []\nfine:\n  test.succeed_without_changes: []\n',
  })
  writeTree(join(base, 'pillar'), {
    'top.sls': "base:\n  'G@os_family:Arch or G@os_family:Debian':\n    - match: compound\n    - common\n",
    'common.sls': "greeting: hello\nfamily: {{ grains['os_family'] }}\nlist: [1, 2]\n",
  })
  writeTree(join(base, 'badpillar'), {
    'top.sls': "base:\n  '*':\n    - common\n",
    'common.sls': 'x: [oops\n',
  })
  const roots = { fileRoot: join(base, 'salt'), pillarRoot: join(base, 'pillar') }
  specs = {
    host: { id: 'host', ...roots },
    arch: { id: 'arch1', ...roots, grains: GRAINS.arch },
    macos: { id: 'mac1', ...roots, grains: GRAINS.macos, options: { pillar_merge_lists: true } },
    brokenPillar: { id: 'broken', fileRoot: roots.fileRoot, pillarRoot: join(base, 'badpillar') },
  }
  oracle = await timed('oracle start-up', () => SaltOracle.start())
})

afterAll(async () => {
  await oracle?.close()
  if (base !== undefined) rmSync(base, { recursive: true, force: true })
  console.info(`salt harness timings:\n  ${timings.join('\n  ')}`)
})

describe('saltCall and SaltOracle agree', () => {
  it.each([
    ['state.show_sls', ['common']],
    ['state.show_highstate', []],
    ['state.show_top', []],
    ['state.show_lowstate', []],
    ['pillar.items', []],
  ])('%s for every simulated machine', async (fun, args) => {
    for (const name of ['host', 'arch', 'macos'] as const) {
      const [cli, inproc] = await both(specs[name], fun, args)
      expect(inproc.retcode, `${fun} as ${name}`).toBe(cli.retcode)
      expect(inproc.data, `${fun} as ${name}`).toEqual(cli.data)
      expect(cli.data).toBeDefined()
    }
  })

  it('grains.items reflects the static grains (apart from the process id)', async () => {
    const [cli, inproc] = await both(specs.macos, 'grains.items')
    const { pid: _a, ...cliGrains } = cli.data as Record<string, unknown>
    const { pid: _b, ...inprocGrains } = inproc.data as Record<string, unknown>
    expect(inprocGrains).toEqual(cliGrains)
    expect(cliGrains).toMatchObject({ ...GRAINS.macos, id: 'mac1' })
  })

  it('a sequence of calls on one cached caller answers like fresh processes', async () => {
    const pillar = { greeting: 'override' }
    const calls: [string, string[], Record<string, unknown>][] = [
      ['state.apply', ['common'], { test: true, pillar }],
      ['state.show_sls', ['common'], {}],
      ['pillar.get', ['greeting'], {}],
      ['state.apply', ['common'], { test: true }],
      ['config.get', ['test'], {}],
    ]
    for (const [fun, args, kwargs] of calls) {
      const words = [...args, ...Object.entries(kwargs).map(([k, v]) => `${k}=${JSON.stringify(v)}`)]
      const cli = await saltCall(specs.arch, fun, words, { retcodePassthrough: true })
      const inproc = await oracle.call(specs.arch, fun, args, kwargs)
      expect(inproc.retcode, fun).toBe(cli.retcode)
      expect(stable(inproc.data), fun).toEqual(stable(cli.data))
    }
  })

  it('repeat calls on one spec are served from the cached caller', async () => {
    await timed('oracle first call (fresh spec, show_highstate)', () =>
      oracle.call({ ...specs.arch, id: 'timing' }, 'state.show_highstate'),
    )
    for (let i = 0; i < 3; i++) {
      await timed('oracle repeat show_highstate', () =>
        oracle.call({ ...specs.arch, id: 'timing' }, 'state.show_highstate'),
      )
    }
    await timed('oracle repeat show_sls', () => oracle.call(specs.arch, 'state.show_sls', ['common']))
    await timed('oracle repeat pillar.items', () => oracle.call(specs.arch, 'pillar.items'))
    await timed('saltCall show_highstate', () => saltCall(specs.arch, 'state.show_highstate'))
  })
})

describe('grain simulation', () => {
  it('selects arch.sls from the top file only for the Arch machine', async () => {
    const arch = await oracle.call(specs.arch, 'state.show_top')
    const mac = await oracle.call(specs.macos, 'state.show_top')
    expect(arch.data).toEqual({ base: ['common', 'arch'] })
    expect(mac.data).toEqual({ base: ['common'] })
    const highstate = (await oracle.call(specs.arch, 'state.show_highstate')).data as Record<string, unknown>
    expect(Object.keys(highstate).sort()).toEqual(['greeting', 'pacman-only'])
  })

  it('targets pillar by grain and renders grains into pillar and states', async () => {
    expect((await oracle.call(specs.arch, 'pillar.items')).data).toEqual({
      greeting: 'hello',
      family: 'Arch',
      list: [1, 2],
    })
    expect((await oracle.call(specs.macos, 'pillar.items')).data).toEqual({})
    const sls = (await oracle.call(specs.macos, 'state.show_sls', ['common'])).data
    expect(JSON.stringify(sls)).toContain('none from MacOS')
  })
})

describe('state.apply (as root, on the host)', () => {
  it('applies a file.managed, then converges with zero changes', async () => {
    const first = await timed('oracle state.apply (first)', () =>
      oracle.call(specs.host, 'state.apply', ['common']),
    )
    expect(first.retcode).toBe(0)
    const [result] = Object.values(first.data as Record<string, { result: boolean; changes: object }>)
    expect(result).toMatchObject({ result: true, changes: { diff: 'New file' } })
    const { os } = (await oracle.call(specs.host, 'grains.item', ['os'])).data as { os: string }
    expect(readFileSync(target, 'utf8')).toBe(`hello from ${os}\n`)

    const again = await timed('oracle state.apply (converged)', () =>
      oracle.call(specs.host, 'state.apply', ['common']),
    )
    const cli = await timed('saltCall state.apply (converged)', () =>
      saltCall(specs.host, 'state.apply', ['common']),
    )
    for (const run of [again, cli]) {
      expect(run.retcode).toBe(0)
      const states = Object.values(run.data as Record<string, { result: boolean; changes: object }>)
      expect(states.map((s) => [s.result, s.changes])).toEqual([[true, {}]])
    }
    expect(stable(again.data)).toEqual(stable(cli.data))
  })
})

describe('errors come back as data with the retcode', () => {
  it('a YAML error in an SLS: a list of strings, retcode 1', async () => {
    const [cli, inproc] = await both(specs.host, 'state.show_sls', ['yamlerr'])
    for (const r of [cli, inproc]) {
      expect(r.retcode).toBe(1)
      expect(r.data).toEqual([expect.stringContaining("Rendering SLS 'base:yamlerr' failed")])
      expect(r.stderr).toContain('line 3, column 13')
    }
    expect(inproc.data).toEqual(cli.data)
  })

  it('a missing SLS: a list of strings, retcode 1', async () => {
    const [cli, inproc] = await both(specs.host, 'state.show_sls', ['nowhere'])
    expect(cli).toMatchObject({ retcode: 1, data: ["No matching sls found for 'nowhere' in env 'base'"] })
    expect(inproc).toMatchObject({ retcode: 1, data: cli.data })
  })

  it('a failing state: retcode 2 with passthrough, 1 without', async () => {
    const [cli, inproc] = await both(specs.host, 'state.apply', ['fails'])
    expect([cli.retcode, inproc.retcode]).toEqual([2, 2])
    expect(stable(inproc.data)).toEqual(stable(cli.data))
    const plainCli = await saltCall(specs.host, 'state.apply', ['fails'], { test: true })
    const plain = await oracle.call(
      specs.host,
      'state.apply',
      ['fails'],
      { test: true },
      { retcodePassthrough: false },
    )
    expect([plainCli.retcode, plain.retcode]).toEqual([1, 1])
    expect(stable(plain.data)).toEqual(stable(plainCli.data))
  })

  it('a broken pillar: pillar.items lists _errors, show_sls prints nothing, state.apply exits 5', async () => {
    const [cliItems, items] = await both(specs.brokenPillar, 'pillar.items')
    expect(items).toMatchObject({ retcode: 0, data: cliItems.data })
    expect((items.data as { _errors: string[] })._errors[0]).toContain("Rendering SLS 'common' failed")
    const [cliSls, sls] = await both(specs.brokenPillar, 'state.show_sls', ['common'])
    for (const r of [cliSls, sls]) {
      expect(r).toMatchObject({ retcode: 1, data: undefined, stdout: '' })
      expect(r.stderr).toContain("Error running 'state.show_sls': Pillar failed to render")
    }
    const [cliApply, apply] = await both(specs.brokenPillar, 'state.apply')
    expect([cliApply.retcode, apply.retcode]).toEqual([5, 5])
    expect(apply.data).toEqual(cliApply.data)
  })

  it('an unknown function exits 255 in both modes', async () => {
    const [cli, inproc] = await both(specs.host, 'nosuch.function')
    expect([cli.retcode, inproc.retcode]).toEqual([255, 255])
    expect(inproc.stderr).toContain("'nosuch.function' is not available.")
  })
})

describe('the oracle follows a tree rewritten in place', () => {
  it('serves the new content even when size and second of mtime are unchanged', async () => {
    const spec = { id: 'rewrite', fileRoot: join(base, 'rewrite'), pillarRoot: join(base, 'pillar') }
    writeTree(spec.fileRoot, { 'a.sls': 'one:\n  test.nop: []\n' })
    expect(Object.keys((await oracle.call(spec, 'state.show_sls', ['a'])).data as object)).toEqual(['one'])
    writeTree(spec.fileRoot, { 'a.sls': 'two:\n  test.nop: []\n' })
    expect(Object.keys((await oracle.call(spec, 'state.show_sls', ['a'])).data as object)).toEqual(['two'])
  })
})
