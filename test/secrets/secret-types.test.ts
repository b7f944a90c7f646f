import { describe, expectTypeOf, it } from 'vitest'
import { cmd, dotfile, file, type Lookup, type Secret, secret, sh, sls, text } from '../../dsl/index.ts'
import { resetSession } from '../../dsl/session.ts'

// Checked by `tsc --noEmit`: an `@ts-expect-error` that no longer errors fails the type-check. The runtime
// part only runs the well-formed calls.

describe('Secret<T> types', () => {
  it('a secret is an argument value, never text or an ID', () => {
    resetSession()
    const token = secret('env', 'TYPES_TOKEN')
    expectTypeOf(token).toEqualTypeOf<Secret<string>>()
    expectTypeOf(token).toMatchTypeOf<Lookup<string>>()
    expectTypeOf(token).not.toMatchTypeOf<string>()
    sls('types_secret', () => {
      file('/etc/token', { contents: token, mode: '0600' })
      dotfile('.netrc', { user: 'alice', contents: secret('pass', 'net/rc') })
    })
    const never = () => {
      // @ts-expect-error a secret cannot be concatenated
      const a: string = 'token=' + token
      // @ts-expect-error nor put in a template literal
      const b = `token=${token}`
      // @ts-expect-error nor joined by text``
      const c = text`token=${token}`
      // @ts-expect-error nor made a shell word
      cmd(sh`curl -H ${token} https://example.org`)
      // @ts-expect-error nor used as a state ID
      file(token, { contents: 'x' })
      return [a, b, c]
    }
    expectTypeOf(never).toBeFunction()
  })
})
