/** users/default (every machine) and one layer per named user (the machines that list them). */
import { layer } from './schema.ts'

/**
 * The user of the Debian `minimal` machine (the CI host's family). The real-apply test sets DSL_TEST_USER
 * to a throw-away account; without it the account is `dev`.
 */
export const CI_USER = process.env.DSL_TEST_USER || 'dev'

layer('users/default', {
  dotfiles: {
    shell: { aliases: { grep: 'grep --color=auto', tmuxa: 'tmux new-session -A -s main' } },
    editor: { tab_width: 4, line_numbers: true },
  },
})

layer('users/ada', {
  accounts: {
    ada: {
      fullname: 'Ada Lovelace',
      email: 'ada@example.org',
      work_email: 'ada.lovelace@corp.example.com',
      shell: '/bin/zsh',
      editor: 'nvim',
      groups: ['sudo', 'wheel', 'admin', 'docker'],
      signing_key: '~/.ssh/id_ed25519.pub',
    },
  },
})

layer('users/grace', {
  accounts: {
    grace: {
      fullname: 'Grace Hopper',
      email: 'grace@example.org',
      work_email: 'grace.hopper@corp.example.com',
      shell: '/bin/bash',
      editor: 'vim',
      groups: ['wheel', 'docker'],
    },
  },
})

layer('users/linus', {
  accounts: {
    linus: {
      fullname: 'Linus',
      email: 'linus@example.org',
      shell: '/bin/zsh',
      editor: 'nvim',
      groups: ['wheel', 'audio', 'video'],
    },
  },
  dotfiles: { editor: { tab_width: 8 } },
})

layer(`users/${CI_USER}`, {
  accounts: {
    [CI_USER]: {
      fullname: 'CI user',
      email: 'ci@example.org',
      shell: '/bin/bash',
      editor: 'vim',
      groups: [],
    },
  },
})

/** Every user a machine can list: each gets account and dotfile states, active where its layer is merged. */
export const USERS: readonly string[] = ['ada', 'grace', 'linus', CI_USER]
