/** platforms/<name>: the real package names of each platform's package manager, by tier. */
import type { Platform } from 'salt-dsl'
import { layer, type Pillar } from './schema.ts'

type Lists = Omit<Pillar['packages'], 'auto_update' | 'install_recommended' | 'casks'>
type Casks = Pillar['packages']['casks']

function platform(name: Platform, lists: Lists, casks?: Casks): void {
  layer(`platforms/${name}`, { packages: { ...lists, ...(casks === undefined ? {} : { casks }) } })
}

// apt (Debian 12 and Ubuntu 24.04 share most names; the minimal tier stays small and quick to install)
const apt = (browser: string): Lists => ({
  core: ['git', 'curl', 'tmux', 'vim', 'tree', 'ncdu'],
  development: [
    'build-essential',
    'cmake',
    'pkg-config',
    'python3-venv',
    'python3-pip',
    'nodejs',
    'npm',
    'golang-go',
    'rustc',
    'cargo',
    'neovim',
    'zsh',
    'ripgrep',
    'fd-find',
    'fzf',
    'direnv',
    'shellcheck',
    'jq',
  ],
  language_servers: ['clangd', 'gopls', 'python3-pylsp'],
  databases: ['sqlite3', 'postgresql', 'redis-server'],
  desktop: [browser, 'thunderbird', 'keepassxc', 'gnome-tweaks'],
  media: ['vlc', 'mpv', 'gimp', 'ffmpeg'],
  fonts: ['fonts-firacode', 'fonts-jetbrains-mono', 'fonts-noto-color-emoji'],
  games: ['supertuxkart'],
  security: ['nmap', 'lynis', 'gnupg', 'age', 'clamav'],
  vpn: ['openconnect', 'wireguard-tools'],
})

platform('debian', apt('firefox-esr'))
platform('ubuntu', { ...apt('firefox'), core: ['git', 'curl', 'tmux', 'vim', 'tree', 'ncdu', 'htop'] })

platform('arch', {
  core: ['git', 'curl', 'tmux', 'vim', 'tree', 'ncdu', 'htop'],
  development: [
    'base-devel',
    'cmake',
    'python',
    'python-pip',
    'nodejs',
    'npm',
    'go',
    'rust',
    'neovim',
    'zsh',
    'ripgrep',
    'fd',
    'fzf',
    'direnv',
    'shellcheck',
    'jq',
  ],
  language_servers: ['clang', 'gopls', 'rust-analyzer', 'python-lsp-server', 'bash-language-server'],
  databases: ['sqlite', 'postgresql', 'valkey'],
  desktop: ['firefox', 'thunderbird', 'keepassxc', 'gnome-tweaks'],
  media: ['vlc', 'mpv', 'gimp', 'ffmpeg'],
  fonts: ['ttf-fira-code', 'ttf-jetbrains-mono', 'noto-fonts-emoji'],
  games: ['supertuxkart'],
  security: ['nmap', 'lynis', 'gnupg', 'age', 'clamav'],
  vpn: ['openconnect', 'wireguard-tools'],
})

platform('fedora', {
  core: ['git', 'curl', 'tmux', 'vim-enhanced', 'tree', 'ncdu', 'htop'],
  development: [
    'gcc',
    'gcc-c++',
    'make',
    'cmake',
    'python3-pip',
    'nodejs',
    'npm',
    'golang',
    'rust',
    'cargo',
    'neovim',
    'zsh',
    'ripgrep',
    'fd-find',
    'fzf',
    'direnv',
    'ShellCheck',
    'jq',
  ],
  language_servers: ['clang-tools-extra', 'golang-x-tools-gopls', 'python3-lsp-server'],
  databases: ['sqlite', 'postgresql-server', 'redis'],
  desktop: ['firefox', 'thunderbird', 'keepassxc', 'gnome-tweaks'],
  media: ['vlc', 'mpv', 'gimp', 'ffmpeg-free'],
  fonts: ['fira-code-fonts', 'jetbrains-mono-fonts', 'google-noto-color-emoji-fonts'],
  games: ['supertuxkart'],
  security: ['nmap', 'lynis', 'gnupg2', 'age', 'clamav'],
  vpn: ['openconnect', 'wireguard-tools'],
})

// Homebrew: formulae in the lists, applications as casks
platform(
  'macos',
  {
    core: ['git', 'curl', 'tmux', 'vim', 'tree', 'ncdu', 'htop'],
    development: [
      'cmake',
      'pkgconf',
      'python',
      'node',
      'go',
      'rust',
      'neovim',
      'zsh',
      'ripgrep',
      'fd',
      'fzf',
      'direnv',
      'shellcheck',
      'jq',
    ],
    language_servers: ['llvm', 'gopls', 'rust-analyzer', 'pyright', 'bash-language-server'],
    databases: ['sqlite', 'postgresql@16', 'redis'],
    desktop: [],
    media: ['ffmpeg', 'mpv'],
    fonts: [],
    games: [],
    security: ['nmap', 'lynis', 'gnupg', 'age'],
    vpn: ['openconnect', 'wireguard-tools'],
  },
  {
    desktop: ['firefox', 'thunderbird', 'keepassxc', 'iterm2', 'rectangle', 'visual-studio-code'],
    media: ['vlc', 'gimp'],
    fonts: ['font-fira-code', 'font-jetbrains-mono'],
    games: ['supertuxkart'],
  },
)
