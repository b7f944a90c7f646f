import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Project, ts } from 'ts-morph'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { HANDLE } from '../../dsl/handle.ts'
import {
  byPlatform,
  grains,
  pillarSchema,
  pkg,
  type SaltStateArgs,
  sh,
  sls,
  state,
  z,
} from '../../dsl/index.ts'
import type { StateNode } from '../../dsl/ir.ts'
import { resetSession, session } from '../../dsl/session.ts'
import type { NotAStateFunction } from '../../dsl/state.ts'
import { dsl, REPO, tempDir } from '../support/cli.ts'

// Checked by `tsc --noEmit` (part of `npm test`): an `@ts-expect-error` that no longer errors fails the
// type-check. The runtime part checks what the calls record.

const { pillar } = pillarSchema(
  z.object({ pkgs: z.object({ refresh: z.boolean(), version: z.string(), list: z.array(z.string()) }) }),
)

describe('state() arguments typed from the pinned Salt', () => {
  it('rejects misspelled arguments of functions that take **kwargs', () => {
    resetSession()
    sls('typos', () => {
      // @ts-expect-error file.managed has `source`, not `sorce` (Salt would pass it on and ignore it)
      state('file.managed', { name: '/etc/motd', sorce: 'salt://motd' })
      // @ts-expect-error service.running has `enable`, not `enabel`
      state('service.running', { name: 'ssh', enabel: true })
      // @ts-expect-error pkg.installed has `refresh`, not `refrsh`
      state('pkg.installed', { name: 'git', refrsh: true })
      // documented in the docstring, or read from **kwargs by the state's own code: accepted by name
      state('pkg.installed', { name: 'vim', hold: true, install_recommends: false })
      state('service.running', { name: 'cron', no_block: true, unmask: true })
      state('file.directory', { name: '/srv', mode: 755 })
      // module.run's keys are the execution functions it calls
      state('module.run', { name: 'x', 'test.kwarg': [{ a: 1 }] })
    })
  })

  it('rejects values of the wrong type, and accepts lookups and byPlatform of the right one', () => {
    resetSession()
    sls('values', () => {
      // @ts-expect-error refresh is a boolean (default None), not a string
      state('pkg.installed', { name: 'git', refresh: 'yes' })
      // @ts-expect-error pkgs is a list
      state('pkg.installed', { id: 'tools', pkgs: 'git' })
      // @ts-expect-error makedirs is a boolean (default False)
      state('file.managed', { name: '/x', makedirs: 'yes' })
      // @ts-expect-error enable is True/False (a string goes through Salt's is_true), not a list
      state('service.running', { name: 'ssh', enable: ['yes'] })
      // @ts-expect-error a pillar string where a boolean is wanted
      state('pkg.installed', { name: 'git', refresh: pillar.pkgs.version })
      // a str parameter takes numbers too: Salt's YAML hands over `version: 1.2` as a float
      state('pkg.installed', { name: 'python3', version: 3.11, refresh: null })
      state('pkg.installed', { name: 'git', refresh: pillar.pkgs.refresh, version: pillar.pkgs.version })
      state('pkg.installed', { id: 'from-pillar', pkgs: pillar.pkgs.list })
      state('pkg.installed', { name: 'fd', refresh: byPlatform({ arch: true, default: false }) })
      state('cmd.run', { name: sh`echo ${grains.os}`, cwd: '/tmp', unless: 'test -e /x' })
      // a default of False that is really a string (cron's identifier)
      state('cron.present', { name: 'backup', identifier: 'nightly', minute: 5 })
    })
  })

  it('passes genuine extra keyword arguments through `extra`, emitted as ordinary arguments', () => {
    resetSession()
    sls('extra', () => {
      const repo = state('pkg.installed', { name: 'vim', extra: { disablerepo: 'updates' } })
      const node = (repo as unknown as { [HANDLE]: StateNode })[HANDLE]
      expect(node.args).toEqual({ disablerepo: 'updates' })
      expect(node.extra).toEqual(['disablerepo'])
      // given twice: directly and in extra
      state('pkg.installed', { name: 'nano', version: '1', extra: { version: '2' } })
    })
    const issues = session().issues
    expect(issues.map((i) => i.code)).toEqual(['DSL1014'])
    expect(issues[0]?.message).toBe("state('pkg.installed'): argument 'version' is given twice")
  })

  it('keeps global state arguments and requisites on every function', () => {
    resetSession()
    sls('globals', () => {
      const git = pkg('git')
      state('group.present', { name: 'devs', gid: 2000, require: [git], unless: 'getent group devs' })
      state('file.directory', { name: '/srv', onlyif: ['test -d /'], retry: { attempts: 2 }, order: 1 })
      // @ts-expect-error group.present takes no **kwargs, so `extra` cannot widen it either
      state('group.present', { name: 'ops', extra: { gdi: 5 } })
    })
  })

  it('prints a readable message for a misspelled state function', () => {
    expectTypeOf<
      NotAStateFunction<'pkg.instaled'>
    >().toEqualTypeOf<"'pkg.instaled' is not a state function of Salt 3008.4; did you mean 'pkg.installed'?">()
    expectTypeOf<
      NotAStateFunction<'pkgs.installed'>
    >().toEqualTypeOf<"'pkgs.installed' is not a state function of Salt 3008.4: it has no state module 'pkgs'">()
    expectTypeOf<
      NotAStateFunction<'service.strat'>
    >().toEqualTypeOf<"'service.strat' is not a state function of Salt 3008.4; service has: dead, disabled, enabled, masked, running, unmasked">()
    const args: SaltStateArgs['pkg.installed'] = { refresh: true }
    expect(args.refresh).toBe(true)
  })
})

/** A user's project depending on salt-dsl, with `source` as its config/index.ts. */
function project(source: string): { service: ts.LanguageService; file: string } {
  const dir = tempDir('salt-dsl-state-args-')
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(REPO, join(dir, 'node_modules', 'salt-dsl'))
  writeFileSync(join(dir, 'package.json'), '{ "name": "my-machines", "type": "module" }\n')
  const p = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
    },
  })
  const file = p.createSourceFile(join(dir, 'index.ts'), source)
  return { service: p.getLanguageService().compilerObject, file: file.getFilePath() }
}

describe('state() in the editor, through the published declarations', () => {
  const source = `import { sls, state } from 'salt-dsl'
sls('x', () => {
  state('pkg.installed', { name: 'git', refresh: true })
  state('pkg.instaled', { name: 'git' })
})
`

  it('completes function names and shows Salt’s documentation on hover', () => {
    const { service, file } = project(source)
    const names = service.getCompletionsAtPosition(file, source.indexOf("'pkg.installed'") + 1, {})
    expect(names?.entries.map((e) => e.name)).toContain('pkg.installed')
    const doc = (word: string) =>
      ts.displayPartsToString(service.getQuickInfoAtPosition(file, source.indexOf(word))?.documentation)
    expect(doc('refresh')).toMatch(/whether or not the package repo database is updated/)
    // the function's own documentation comes with `name` (an editor shows none for the name string)
    expect(doc('name')).toMatch(/^`pkg.installed`: Ensure that the package is installed/)
    expect(doc('name')).toMatch(/The name of the package to be installed/)
  })

  it('names the misspelled function and the likely one in the type error', () => {
    const { service, file } = project(source)
    const found = service
      .getSemanticDiagnostics(file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    expect(found).toEqual([
      `Argument of type '"pkg.instaled"' is not assignable to parameter of type '"'pkg.instaled' is not a state function of Salt 3008.4; did you mean 'pkg.installed'?"'.`,
    ])
  })
})

describe('dsl show: `extra` arguments are ordinary arguments in the SLS', () => {
  it('emits them after the named ones', () => {
    const dir = tempDir('salt-dsl-extra-')
    writeFileSync(
      join(dir, 'index.ts'),
      `import { sls, state, top } from 'salt-dsl'
const base = sls('base', () => {
  state('pkg.installed', { name: 'vim', refresh: true, extra: { disablerepo: 'updates' } })
})
top('*', [base])
`,
    )
    const run = dsl(['show', 'base', dir])
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toContain('vim:\n  pkg.installed:\n    - refresh: true\n    - disablerepo: updates\n')
  })
})

describe('dsl check: the compiler’s own check of a **kwargs function', () => {
  it('reports an argument the function neither names nor documents, with the likely one', () => {
    const run = dsl(['check', join(REPO, 'test/fixtures/diagnostics/unknown-kwarg')])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      "error DSL3006: 'refrsh' is not an argument of 'pkg.installed' (Salt would pass it on, and it would be ignored) ('git')",
    )
    expect(run.stderr).toContain("hint: did you mean 'refresh'?")
  })

  it('accepts what the builders pass on by design (pkgrepo: repo-file keys such as gpgcheck)', () => {
    const dir = tempDir('salt-dsl-passed-on-')
    writeFileSync(
      join(dir, 'index.ts'),
      `import { pkgrepo, sls } from 'salt-dsl'
sls('base', () => {
  pkgrepo('myrepo', { baseurl: 'https://example.org/repo', gpgcheck: 1, gpgkey: 'https://example.org/key' })
  pkgrepo('deb https://example.org/apt stable main', { id: 'apt', signedby: '/etc/apt/keyrings/x.gpg' })
})
`,
    )
    const run = dsl(['check', dir])
    expect(run.stderr).not.toContain('DSL3006')
    expect(run.status, run.stderr).toBe(0)
  })
})
