import { describe, expectTypeOf, it } from 'vitest'
import {
  cmd,
  dotfile,
  file,
  grains,
  pkg,
  type SlsHandle,
  type StateHandle,
  service,
  sls,
  state,
  when,
} from '../../dsl/index.ts'
import { resetSession } from '../../dsl/session.ts'

// These tests are checked by `tsc --noEmit` (part of `npm test`): an `@ts-expect-error` that no longer
// errors fails the type-check. The runtime part only makes sure the calls are well-formed.

describe('builder API types', () => {
  it('builders return handles typed by their Salt module', () => {
    resetSession()
    sls('types', () => {
      expectTypeOf(pkg('git')).toEqualTypeOf<StateHandle<'pkg'>>()
      expectTypeOf(file('/etc/motd', { contents: 'x' })).toEqualTypeOf<StateHandle<'file'>>()
      expectTypeOf(service('ssh')).toEqualTypeOf<StateHandle<'service'>>()
      expectTypeOf(cmd('true', { creates: '/x' })).toEqualTypeOf<StateHandle<'cmd'>>()
    })
    expectTypeOf(sls('types2', () => {})).toEqualTypeOf<SlsHandle>()
  })

  it('an SLS hands out what its body returns, for other files', () => {
    resetSession()
    const tools = sls('tools', () => ({ git: pkg('git'), motd: file('/etc/motd', { contents: 'x' }) }))
    expectTypeOf(tools.git).toEqualTypeOf<StateHandle<'pkg'>>()
    expectTypeOf(tools.name).toEqualTypeOf<string>()
    sls('uses', () => {
      cmd('true', { creates: '/z', require: [tools.git, tools.motd, tools] })
    })
    // @ts-expect-error only what the body returned is there
    tools.curl
    // @ts-expect-error a body returns an object of handles, not a list
    sls('listed', () => [pkg('curl')])
  })

  it('rejects misuse in the editor', () => {
    resetSession()
    sls('misuse', () => {
      const git = pkg('git')
      // @ts-expect-error requisites take handles, never strings
      pkg('curl', { require: ['git'] })
      // @ts-expect-error not a pkg state
      pkg('vim', { ensure: 'instaled' })
      // @ts-expect-error several packages need an explicit id
      pkg(['a', 'b'])
      // @ts-expect-error a file needs contents or a source, not a number
      file('/etc/motd', { contents: 42 })
      // @ts-expect-error a symlink needs its target
      file('/etc/link', { ensure: 'symlink' })
      // @ts-expect-error dotfiles need their owner
      dotfile('.vimrc', { contents: 'set nu' })
      // @ts-expect-error misspelled Salt state function
      state('pkg.instaled', { name: 'git' })
      // @ts-expect-error file.symlink requires `target`
      state('file.symlink', { name: '/x' })
      // @ts-expect-error group.present takes no `gdi` (and no **kwargs)
      state('group.present', { name: 'g', gdi: 5 })
      state('pkg.installed', { name: 'git', require: [git], refresh: true })
      // thunks reach states declared further down
      cmd('true', { creates: '/y', require: [() => git] })
      when(grains.os_family, () => pkg('tree'))
    })
  })
})
