// Dotfiles in a user's home: a Jinja template, inline contents and a symlinked file, each backing up
// what was there before the first change (as <file>.pre-dsl).
import { dotfile, sls, top } from 'salt-dsl'

const owner = process.env.DOTFILES_USER || 'root'

export const dotfiles = sls('dotfiles', () => {
  dotfile('.gitconfig', {
    user: owner,
    source: 'files/gitconfig',
    template: 'jinja',
    context: { name: 'Ada Lovelace', email: 'ada@example.org' },
  })
  dotfile('.inputrc', { user: owner, contents: 'set editing-mode vi\nset bell-style none\n' })
  dotfile('.tmux.conf', { user: owner, contents: 'set -g mouse on\n', as: 'symlink' })
})

top('*', [dotfiles])
