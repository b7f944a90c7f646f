import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  CATALOG_SALT_VERSION,
  checkStateArgs,
  GLOBAL_STATE_ARGS,
  lookupStateFunction,
  type SaltStateArgs,
  type SaltStateFunction,
  stateFunctionNames,
  suggestStateFunction,
} from '../../dsl/catalog/index.ts'
import { SALT_VERSION } from '../../dsl/catalog/salt-states.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const python = join(root, '.venv/bin/python')

describe('salt state catalog', () => {
  it('knows the common state functions', () => {
    const names = [
      'pkg.installed',
      'pkg.latest',
      'pkg.removed',
      'file.managed',
      'file.directory',
      'file.symlink',
      'file.absent',
      'file.blockreplace',
      'service.running',
      'service.dead',
      'user.present',
      'group.present',
      'cmd.run',
      'git.latest',
      'pkgrepo.managed',
      'cron.present',
      'archive.extracted',
    ]
    for (const name of names) expect(lookupStateFunction(name), name).toBeDefined()
    expect(stateFunctionNames().length).toBeGreaterThan(300)
    expect(CATALOG_SALT_VERSION).toBe(SALT_VERSION)
  })

  it('records parameters, required arguments and **kwargs', () => {
    const symlink = lookupStateFunction('file.symlink')!
    expect(symlink.params.slice(0, 2)).toEqual(['name', 'target'])
    expect(symlink.required).toEqual(['target'])
    expect(symlink.kwargs).toBe(true)
    expect(symlink.doc).toMatch(/symbolic link/)
    const pkg = lookupStateFunction('pkg.installed')!
    expect(pkg.required).toEqual([])
    expect(pkg.params).toContain('version')
    expect(pkg.kwargs).toBe(true)
    // name is filled from the state ID, never required from the user
    for (const name of stateFunctionNames()) expect(lookupStateFunction(name)!.required).not.toContain('name')
  })

  it('uses virtual names, __func_alias__ and skips non-states', () => {
    expect(lookupStateFunction('pip.installed')).toBeDefined() // pip_state.py
    expect(lookupStateFunction('pip_state.installed')).toBeUndefined()
    expect(lookupStateFunction('salt.state')).toBeDefined() // saltmod.py
    expect(lookupStateFunction('file.copy')).toBeDefined() // copy_
    expect(lookupStateFunction('file.copy_')).toBeUndefined()
    expect(lookupStateFunction('pkg.mod_watch')).toBeUndefined()
    expect(lookupStateFunction('pkg.mod_aggregate')).toBeUndefined()
    expect(lookupStateFunction('pip.purge_pip')).toBeUndefined()
    expect(lookupStateFunction('service.mod_beacon')).toBeUndefined()
    // platform modules are included whatever the host
    expect(lookupStateFunction('macdefaults.write')).toBeDefined()
    expect(lookupStateFunction('chocolatey.installed')).toBeDefined()
    // files sharing a virtual name are merged
    expect(lookupStateFunction('x509.certificate_managed')?.mergedFrom).toEqual(['x509.py', 'x509_v2.py'])
  })

  it('suggests the closest function, preferring the same module', () => {
    expect(suggestStateFunction('pkg.instaled')).toBe('pkg.installed')
    expect(suggestStateFunction('pkg.isntalled')).toBe('pkg.installed')
    expect(suggestStateFunction('service.runing')).toBe('service.running')
    expect(suggestStateFunction('pkgs.installed')).toBe('pkg.installed')
    expect(suggestStateFunction('file.manged')).toBe('file.managed')
    expect(suggestStateFunction('File.Managed')).toBe('file.managed')
    expect(suggestStateFunction('nonsense.whatever')).toBeUndefined()
    expect(suggestStateFunction('file.installed')).toBeUndefined() // not pip.installed: the module exists
  })

  it('checks arguments the way Salt does at apply time', () => {
    expect(checkStateArgs('pkg.installed', ['version', 'require', 'watch_in'])).toEqual([])

    const [fn] = checkStateArgs('pkg.instaled', [])
    expect(fn?.code).toBe('unknown-function')
    expect(fn?.hint).toMatch(/pkg\.installed/)

    const missing = checkStateArgs('file.symlink', ['makedirs'])
    expect(missing).toEqual([
      expect.objectContaining({ code: 'missing-arg', message: expect.stringMatching(/target/) }),
    ])
    // **kwargs: an argument the function neither names nor documents would be passed on and ignored
    expect(checkStateArgs('file.symlink', ['target', 'anything'])).toEqual([
      expect.objectContaining({ code: 'unknown-arg', hint: expect.stringMatching(/extra: \{ anything/) }),
    ])
    expect(checkStateArgs('file.symlink', ['target', 'anything'], ['anything'])).toEqual([])

    // group.present takes no **kwargs: unknown arguments are errors, global arguments are not
    expect(lookupStateFunction('group.present')?.kwargs).toBe(false)
    expect(
      checkStateArgs('group.present', [
        'gid',
        'require',
        'onchanges_any',
        'unless',
        'order',
        'names',
        '__env__',
      ]),
    ).toEqual([])
    const [unknown] = checkStateArgs('group.present', ['gdi'])
    expect(unknown).toMatchObject({ code: 'unknown-arg', hint: "did you mean 'gid'?" })
    expect(unknown?.message).toMatch(/'gdi' is an invalid keyword argument for 'group.present'/)
  })

  it('checks the names of a **kwargs function: signature, docstring, its own reads, extra', () => {
    // GIVEN functions that take **kwargs (169 of them): misspellings used to pass unnoticed
    const [refrsh] = checkStateArgs('pkg.installed', ['name', 'refrsh'])
    expect(refrsh).toMatchObject({ code: 'unknown-arg' })
    expect(refrsh?.message).toBe(
      "'refrsh' is not an argument of 'pkg.installed' (Salt would pass it on, and it would be ignored)",
    )
    expect(refrsh?.hint).toMatch(/^did you mean 'refresh'\?/)
    expect(checkStateArgs('file.managed', ['name', 'sorce'])[0]?.hint).toMatch(/did you mean 'source'/)
    expect(checkStateArgs('service.running', ['name', 'enabel'])[0]?.hint).toMatch(/did you mean 'enable'/)
    // documented in the docstring (pkg.installed's `hold`, service.running's `no_block`), or read from
    // **kwargs by the state's own code (file.directory's `mode`)
    expect(checkStateArgs('pkg.installed', ['name', 'hold', 'install_recommends'])).toEqual([])
    expect(checkStateArgs('service.running', ['name', 'no_block', 'unmask'])).toEqual([])
    expect(checkStateArgs('file.directory', ['name', 'mode'])).toEqual([])
    // the explicit escape for what the function passes on
    expect(checkStateArgs('pkg.installed', ['name', 'disablerepo'], ['disablerepo'])).toEqual([])
    // `name` is always passed; module.run's keys are the execution functions it calls
    expect(checkStateArgs('module.run', ['name', 'test.kwarg', 'cmd.run'])).toEqual([])
    expect(checkStateArgs('module.run', ['name', 'tset'])).toHaveLength(1)
    // `extra` does not widen a function without **kwargs: Salt would refuse the call
    expect(checkStateArgs('group.present', ['gdi'], ['gdi'])).toHaveLength(1)
  })

  it('takes the global state arguments from salt/state.py', () => {
    for (const key of ['require', 'require_in', 'watch_any', 'onfail_all', 'listen_in', 'use', 'prereq_in'])
      expect(GLOBAL_STATE_ARGS.has(key), key).toBe(true)
    for (const key of ['onlyif', 'unless', 'creates', 'check_cmd', 'retry', 'parallel', 'failhard', 'runas'])
      expect(GLOBAL_STATE_ARGS.has(key), key).toBe(true)
    for (const key of ['reload_modules', 'reload_pillar', 'reload_grains', 'fire_event', 'saltenv', 'names'])
      expect(GLOBAL_STATE_ARGS.has(key), key).toBe(true)
    expect(GLOBAL_STATE_ARGS.has('target')).toBe(false)
  })

  it('types argument names and required arguments', () => {
    const ok: SaltStateArgs['file.symlink'] = { target: '/x', force: true }
    // @ts-expect-error pkg.installed takes **kwargs, but an argument it does not name is an error
    const anyKw: SaltStateArgs['pkg.installed'] = { version: '1', whatever: 1 }
    // @ts-expect-error target is required
    const missing: SaltStateArgs['file.symlink'] = { force: true }
    // @ts-expect-error group.present takes no **kwargs
    const extra: SaltStateArgs['group.present'] = { gdi: 1 }
    // @ts-expect-error not a state function
    const typo: SaltStateFunction = 'pkg.instaled'
    expect([ok, anyKw, missing, extra, typo]).toHaveLength(5)
  })

  it('is exactly what the pinned Salt generates', () => {
    expect(existsSync(python), `${python} is missing: run scripts/setup.sh`).toBe(true)
    const out = mkdtempSync(join(tmpdir(), 'salt-catalog-'))
    try {
      execFileSync(python, [join(root, 'scripts/gen-salt-catalog.py'), '--out', out], { stdio: 'pipe' })
      for (const file of ['salt-states.json', 'salt-states.ts']) {
        const fresh = readFileSync(join(out, file), 'utf8')
        const committed = readFileSync(join(root, 'dsl/catalog', file), 'utf8')
        expect(fresh === committed, `dsl/catalog/${file} is stale: re-run scripts/gen-salt-catalog.py`).toBe(
          true,
        )
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
