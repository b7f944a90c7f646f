/** defaults/{common,packages,dotfiles,features}: what every machine starts from. */
import { layer } from './schema.ts'

layer('defaults/common', {
  profile: 'minimal',
  environment: 'minimal',
  user: { create_directories: true, backup_existing_configs: true },
  security: { compliance_checks: false, screen_lock_minutes: 15, vpn_gateway: '' },
  accounts: {},
})

// Lists are empty here: each platform layer names its real packages (Salt replaces lists, never merges).
layer('defaults/packages', {
  packages: {
    auto_update: false,
    install_recommended: true,
    core: [],
    development: [],
    language_servers: [],
    databases: [],
    desktop: [],
    media: [],
    fonts: [],
    games: [],
    security: [],
    vpn: [],
    casks: { desktop: [], media: [], fonts: [], games: [] },
  },
})

layer('defaults/dotfiles', {
  dotfiles: {
    git: { default_branch: 'main', pull_rebase: true, sign_commits: false, use_work_email: false },
    shell: {
      history_size: 10000,
      aliases: { ll: 'ls -alF', la: 'ls -A', gs: 'git status --short', '..': 'cd ..' },
      path_prepend: ['$HOME/.local/bin'],
    },
    editor: { tab_width: 4, line_numbers: true },
    tmux: { prefix: 'C-a', mouse: true, history_limit: 50000 },
    ssh: {
      server_alive_interval: 60,
      hash_known_hosts: true,
      strict_host_key_checking: 'ask',
      forward_agent: false,
    },
  },
})

layer('defaults/features', {
  features: {
    install_development_tools: false,
    install_desktop_apps: false,
    install_fonts: false,
    enable_shell_integrations: true,
    install_games: false,
    install_media_tools: false,
    install_security_tools: false,
    enable_work_vpn: false,
    enable_database_services: false,
  },
})
