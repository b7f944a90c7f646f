/** Per-user dotfiles: git, bash and zsh, vim and neovim, tmux, the ssh client. */
import { type SlsHandle, sls, state, when } from 'salt-dsl'
import { pillar } from '../pillar/schema.ts'
import { accountOf } from './accounts.ts'
import { hasAccount, managedBlock, ownDotfile, primaryGroup } from './helpers.ts'

const d = pillar.dotfiles
const env = '.config/salt-dsl/shell/env.sh'

const BASH_BLOCK = `[ -r "$HOME/${env}" ] && . "$HOME/${env}"
HISTCONTROL=ignoreboth
shopt -s histappend checkwinsize`

const ZSH_BLOCK = `[ -r "$HOME/${env}" ] && . "$HOME/${env}"
HISTFILE="$HOME/.zsh_history"
SAVEHIST="$HISTSIZE"
setopt HIST_IGNORE_DUPS SHARE_HISTORY AUTO_CD
bindkey -e
autoload -Uz compinit && compinit -i`

// `Include` inside `Host *` applies to every host; the user's own entries above the block win (ssh: first value wins)
const SSH_BLOCK = `Host *
    Include ~/.ssh/config.d/salt-dsl.conf`

/** One SLS per dotfile family; each user's states exist where that user's account does. */
function perUser(name: string, users: readonly string[], body: (user: string) => void): SlsHandle {
  return sls(name, () => {
    for (const user of users) when(hasAccount(user), () => body(user))
  })
}

export function declareDotfiles(users: readonly string[]) {
  const account = (u: string) => pillar.accounts[u]!
  return {
    git: perUser('dotfiles.git', users, (u) => {
      ownDotfile(u, '.gitconfig', {
        source: 'files/gitconfig.j2',
        template: 'jinja',
        context: { account: account(u), git: d.git },
        require: [accountOf(u)],
      })
      ownDotfile(u, '.config/git/ignore', { source: 'files/gitignore', require: [accountOf(u)] })
    }),
    shell: perUser('dotfiles.shell', users, (u) => {
      const common = ownDotfile(u, env, {
        source: 'files/env.sh.j2',
        template: 'jinja',
        context: {
          account: account(u),
          shell: d.shell,
          integrations: pillar.features.enable_shell_integrations,
        },
        require: [accountOf(u)],
      })
      managedBlock(u, '.bashrc', BASH_BLOCK, { require: [common] })
    }),
    zsh: perUser('dotfiles.zsh', users, (u) => {
      managedBlock(u, '.zshrc', ZSH_BLOCK, { require: [accountOf(u)] })
    }),
    vim: perUser('dotfiles.vim', users, (u) => {
      ownDotfile(u, '.vimrc', {
        source: 'files/vimrc.j2',
        template: 'jinja',
        context: { editor: d.editor },
        require: [accountOf(u)],
      })
    }),
    neovim: perUser('dotfiles.neovim', users, (u) => {
      ownDotfile(u, '.config/nvim/init.lua', {
        source: 'files/init.lua.j2',
        template: 'jinja',
        context: { editor: d.editor },
        require: [accountOf(u)],
      })
    }),
    tmux: perUser('dotfiles.tmux', users, (u) => {
      ownDotfile(u, '.tmux.conf', {
        source: 'files/tmux.conf.j2',
        template: 'jinja',
        context: { tmux: d.tmux },
        require: [accountOf(u)],
      })
    }),
    ssh: perUser('dotfiles.ssh', users, (u) => {
      const dir = state('file.directory', {
        id: `~${u}/.ssh`,
        name: `~${u}/.ssh`,
        user: u,
        group: primaryGroup(u),
        mode: '0700',
        require: [accountOf(u)],
      })
      const defaults = ownDotfile(u, '.ssh/config.d/salt-dsl.conf', {
        source: 'files/ssh.conf.j2',
        template: 'jinja',
        context: { ssh: d.ssh, compliance: pillar.security.compliance_checks },
        mode: '0600',
        require: [dir],
      })
      managedBlock(u, '.ssh/config', SSH_BLOCK, { mode: '0600', require: [defaults] })
    }),
  }
}
