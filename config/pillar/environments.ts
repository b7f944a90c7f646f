/** environments/{personal,work,minimal}: merged after the profile, so they can veto its features. */
import { layer } from './schema.ts'

layer('environments/personal', {
  environment: 'personal',
  packages: { auto_update: true },
})

layer('environments/work', {
  environment: 'work',
  features: {
    install_games: false,
    install_media_tools: false,
    enable_work_vpn: true,
    install_security_tools: true,
  },
  dotfiles: {
    git: { sign_commits: true, use_work_email: true },
    ssh: { strict_host_key_checking: 'yes', forward_agent: false },
  },
  security: { compliance_checks: true, screen_lock_minutes: 5, vpn_gateway: 'vpn.corp.example.com' },
})

layer('environments/minimal', {
  environment: 'minimal',
  features: { enable_shell_integrations: false, install_fonts: false, install_desktop_apps: false },
  packages: { install_recommended: false },
})
