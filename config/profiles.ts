/** The four profiles: the SLS modules each brings (in top-file order) and its feature flags. */
import { profile, type SlsHandle } from 'salt-dsl'
import { operations } from './ops/index.ts'
import { layer, PROFILE_NAMES } from './pillar/schema.ts'
import { USERS } from './pillar/users.ts'
import { declareAccounts } from './states/accounts.ts'
import { declareDotfiles } from './states/dotfiles.ts'
import { basePackages, desktopPackages, devPackages } from './states/packages.ts'
import { devServices } from './states/services.ts'
import { workCompliance, workSecurity } from './states/work.ts'

const accounts = declareAccounts(USERS)
const dot = declareDotfiles(USERS)

// after every state above: validation and reports are derived from what is declared so far; the
// profiles below are named up front, as their SLS lists hold the ops handles (config/index.ts finishes)
export const ops = operations({ profiles: PROFILE_NAMES })

const minimalSls = [basePackages, accounts, dot.git, dot.shell, dot.vim, dot.tmux, dot.ssh]
const developmentSls = [...minimalSls, devPackages, devServices, dot.zsh, dot.neovim]

/** Pre-flight first; then the modules, the validation of exactly those, and the reports. */
const withOps = (modules: readonly SlsHandle[]) => [
  ops.preflight,
  ...modules,
  ...ops.validationFor(modules),
  ops.reporting,
]

/** Core tools and the essential dotfiles: small and quick. */
export const minimal = profile('minimal', { sls: withOps(minimalSls) })

/** The full development stack: compilers, language servers, databases, zsh and neovim. */
export const development = profile('development', {
  sls: withOps(developmentSls),
  features: { install_development_tools: true, enable_shell_integrations: true },
})

/** Development plus desktop applications, media tools, browsers, fonts (and games). */
export const desktop = profile('desktop', {
  sls: withOps([...developmentSls, desktopPackages]),
  features: {
    install_development_tools: true,
    install_desktop_apps: true,
    install_fonts: true,
    install_media_tools: true,
    install_games: true,
  },
})

/** Development plus security tools, the VPN client and compliance settings. */
export const work = profile('work', {
  sls: withOps([...developmentSls, workSecurity, workCompliance, ops.baseline]),
  features: { install_development_tools: true, install_security_tools: true, install_fonts: true },
})

// each profile's layer names it, so an onboarded machine (matched by its dsl:profile grain) knows it too
for (const name of PROFILE_NAMES) layer(`profiles/${name}`, { profile: name })
