// The smallest useful config: a directory, a file in it, and a command guarded so it runs once.
import { cmd, file, sls, top } from 'salt-dsl'

/** Where the example writes; the tests point it at a throw-away directory. */
const root = process.env.HELLO_ROOT || '/tmp/salt-dsl-hello'

export const hello = sls('hello', () => {
  const dir = file(root, { ensure: 'directory', mode: '0755' })
  const greeting = file(`${root}/greeting.txt`, {
    contents: 'hello from salt-dsl\n',
    mode: '0644',
    require: [dir],
  })
  cmd(`echo done > ${root}/stamp`, { creates: `${root}/stamp`, require: [greeting] })
})

top('*', [hello])
