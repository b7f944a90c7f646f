import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changed, failed, throwawayUser } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'
import { type MinionSpec, SaltOracle } from '../support/salt.ts'

/** Builds an example through the CLI into a fresh out/ and returns the minion spec that serves it. */
function build(example: string, env: Record<string, string>): MinionSpec {
  const out = join(tempDir(), 'out')
  const run = dsl(['build', example, '--out', out], env)
  expect(run.status, run.stderr).toBe(0)
  return { id: 'apply-test', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
}

describe('state.apply for real (as root, into throw-away paths and users)', () => {
  let oracle: SaltOracle
  beforeAll(async () => {
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    await oracle.close()
  })

  it('hello: applies, then a second apply and test=True report zero changes', async () => {
    const root = join(tempDir(), 'hello')
    const spec = build('examples/hello', { HELLO_ROOT: root })
    const first = await oracle.call(spec, 'state.apply')
    expect(failed(first.data)).toEqual([])
    expect(first.retcode).toBe(0)
    expect(changed(first.data)).toHaveLength(3)
    expect(readFileSync(join(root, 'greeting.txt'), 'utf8')).toBe('hello from salt-dsl\n')
    expect((lstatSync(root).mode & 0o777).toString(8)).toBe('755')
    const second = await oracle.call(spec, 'state.apply')
    expect(changed(second.data)).toEqual([])
    const predicted = await oracle.call(spec, 'state.apply', [], { test: true })
    expect(changed(predicted.data)).toEqual([])
  })

  it('dotfiles: backs up what was there byte-identical, links and templates, then converges', async () => {
    const user = throwawayUser()
    try {
      // GIVEN a user whose ~/.inputrc already holds their own settings
      const original = Buffer.from('# mine\nset editing-mode emacs\n\u00e9\u0000\n')
      writeFileSync(join(user.home, '.inputrc'), original)
      execFileSync('chown', [`${user.name}:${user.name}`, join(user.home, '.inputrc')])
      const spec = build('examples/dotfiles', { DOTFILES_USER: user.name })
      // WHEN the tree is applied
      const first = await oracle.call(spec, 'state.apply')
      expect(failed(first.data)).toEqual([])
      // THEN the old file is kept byte-identical, owned by the user, and the managed files are in place
      expect(readFileSync(join(user.home, '.inputrc.pre-dsl')).equals(original)).toBe(true)
      expect(lstatSync(join(user.home, '.inputrc.pre-dsl')).uid).toBe(lstatSync(user.home).uid)
      expect(readFileSync(join(user.home, '.inputrc'), 'utf8')).toBe(
        'set editing-mode vi\nset bell-style none\n',
      )
      expect(readFileSync(join(user.home, '.gitconfig'), 'utf8')).toContain('email = ada@example.org')
      expect(existsSync(join(user.home, '.gitconfig.pre-dsl'))).toBe(false) // nothing was there to keep
      expect(readlinkSync(join(user.home, '.tmux.conf'))).toBe('.dotfiles/tmux.conf')
      expect(readFileSync(join(user.home, '.tmux.conf'), 'utf8')).toBe('set -g mouse on\n')
      // AND a second apply changes nothing, and test=True predicts nothing
      expect(changed((await oracle.call(spec, 'state.apply')).data)).toEqual([])
      expect(changed((await oracle.call(spec, 'state.apply', [], { test: true })).data)).toEqual([])
      expect(readFileSync(join(user.home, '.inputrc.pre-dsl')).equals(original)).toBe(true)
    } finally {
      user.remove()
    }
  })

  it('sh: pillar values reach name, unless and onlyif as one word each, run nothing and arrive intact', async () => {
    // GIVEN a config whose commands put pillar values into sh`...` (a project of its own)
    const dir = tempDir()
    chmodSync(dir, 0o1777)
    const x = join(dir, 'X')
    const values = [
      `$(touch ${x})`,
      `\`touch ${x}\``,
      `'; touch ${x}; '`,
      `"; touch ${x}; "`,
      `\\"; touch ${x}; \\`,
      `a\ntouch ${x}\nb`,
      `-n`,
      `*`,
      '',
    ]
    const out = join(dir, 'out.txt')
    writeFileSync(
      join(dir, 'index.ts'),
      `import { cmd, grains, pillar, sh, sls, top } from 'salt-dsl'
const out = ${JSON.stringify(out)}
const v = ${JSON.stringify(values.map((_, i) => `v${i}`))}.map((k) => (pillar as any).v[k])
const shell = sls('shell', () => {
  cmd(sh\`printf '[%s]\\\\n' \${v} \${grains.id} > \${out}\`, {
    id: 'write',
    unless: sh\`test -e \${out} && test \${v[0]} = \${'never'}\`,
    onlyif: sh\`test -n \${grains.id} && printf %s \${v} >/dev/null\`,
  })
})
top('*', [shell])
`,
    )
    const spec = build(dir, {})
    const pillar = { v: Object.fromEntries(values.map((value, i) => [`v${i}`, value])) }
    // WHEN it is previewed, then applied
    const preview = await oracle.call(spec, 'state.apply', [], { pillar, test: true })
    expect(existsSync(x)).toBe(false)
    expect(failed(preview.data).filter((f) => !f.includes('would have been executed'))).toEqual([])
    const applied = await oracle.call(spec, 'state.apply', [], { pillar })
    // THEN nothing ran, and the command received each value as one word, as written
    expect(existsSync(x)).toBe(false)
    expect(failed(applied.data)).toEqual([])
    expect(readFileSync(out, 'utf8')).toBe(`${[...values, 'apply-test'].map((v) => `[${v}]\n`).join('')}`)
  })

  it('requisites: every kind behaves as Salt defines it, across two SLS', async () => {
    const root = join(tempDir(), 'req')
    const spec = build('examples/requisites', { REQUISITES_ROOT: root })
    const first = await oracle.call(spec, 'state.apply')
    expect(failed(first.data)).toEqual([])
    expect(existsSync(join(root, 'reloaded'))).toBe(true) // onchanges: app.conf changed
    expect(existsSync(join(root, 'changes-any'))).toBe(true) // onchanges_any
    expect(existsSync(join(root, 'failed'))).toBe(false) // onfail: nothing failed
    expect(existsSync(join(root, 'onfail-any'))).toBe(false)
    expect(existsSync(join(root, 'app.conf.bak'))).toBe(false) // prereq ran before app.conf existed: onlyif false
    const order = Object.values(first.data as Record<string, { __id__: string; __run_num__: number }>)
      .sort((a, b) => a.__run_num__ - b.__run_num__)
      .map((r) => r.__id__)
    expect(order.indexOf(join(root, 'early'))).toBeLessThan(order.indexOf(join(root, 'app.conf'))) // require_in
    const listeners = order.filter((id) => id.startsWith('listener_'))
    expect(listeners).toContain(`listener_touch ${join(root, 'reloaded')}`) // listen_in: runs at the very end
    expect(order.filter((id) => !id.startsWith('listener_')).at(-1)).toBe('the-end') // order: last
    const second = await oracle.call(spec, 'state.apply')
    expect(failed(second.data)).toEqual([])
    expect(changed(second.data)).toEqual([])
  })
})
