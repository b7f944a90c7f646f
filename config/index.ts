// The bundled workstation configuration (see README): what `dsl build` builds by default.
import { dotfile, file, pkg, sls, top } from 'salt-dsl'

export const core = sls('core', () => {
  const tools = pkg(['git', 'curl', 'tmux'], { id: 'core-tools' })
  file('/etc/salt-dsl', { ensure: 'directory', mode: '0755', require: [tools] })
})

export const shell = sls('shell', () => {
  dotfile('.inputrc', { user: 'root', contents: 'set editing-mode emacs\nset bell-style none\n' })
})

top('*', [core, shell])
