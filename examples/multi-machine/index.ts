// Four machines on four platforms, three users: a typed pillar in layers (defaults → profile → environment →
// platform → machine → user), an inventory, profiles, per-platform package names and pillar lookups.
import { byPlatform, dotfile, eq, file, inventory, pillarSchema, pkg, profile, sls, when, z } from 'salt-dsl'

const user = z.object({ shell: z.string(), editor: z.string().default('vi'), email: z.email().optional() })

const { pillar, layer } = pillarSchema(
  z.object({
    owner: z.string().min(1),
    packages: z.object({ base: z.array(z.string()), extra: z.array(z.string()) }),
    features: z.object({ docker: z.boolean(), fonts: z.boolean() }),
    git: z.object({ email: z.email(), signing: z.boolean() }),
    motd: z.string(),
    users: z.record(z.string(), user),
  }),
)

layer('defaults/common', {
  owner: 'ada',
  motd: 'managed by salt-dsl',
  git: { email: 'ada@example.org', signing: false },
})
layer('defaults/packages', { packages: { base: ['git', 'curl'], extra: [] } })
layer('defaults/features', { features: { docker: false, fonts: false } })
layer('environments/personal', { motd: 'home sweet home' })
layer('environments/work', {
  git: { email: 'ada@work.example.com', signing: true },
  packages: { extra: ['vpn-client'] },
})
layer('environments/minimal', { packages: { base: ['curl'] } })
layer('platforms/macos', { packages: { extra: ['coreutils'] } })
layer('platforms/ubuntu', { packages: { extra: ['build-essential'] } })
layer('platforms/arch', { packages: { extra: ['base-devel'] } })
layer('platforms/fedora', { packages: { extra: ['gcc'] } })
layer('machines/arch-laptop', { motd: 'the laptop', features: { fonts: true } })
layer('users/default', { users: { ada: { shell: '/bin/bash', editor: 'vi' } } })
layer('users/grace', { users: { grace: { shell: '/bin/zsh', editor: 'emacs', email: 'grace@example.org' } } })
layer('users/linus', { users: { linus: { shell: '/bin/bash', editor: 'nano' } } })

export const base = sls('base', () => {
  pkg(byPlatform({ ubuntu: 'fd-find', debian: 'fd-find', fedora: 'fd-find', arch: 'fd', macos: 'fd' }), {
    id: 'fd',
  })
  file('/etc/motd', { contents: pillar.motd })
})

export const dev = sls('dev', () => {
  const git = pkg('git')
  dotfile('.gitconfig', { user: 'ada', contents: pillar.git.email, require: [git] })
  when(pillar.features.docker, () => {
    pkg('docker', { id: 'docker' })
  })
  when(eq(pillar.features.fonts, true), () => {
    pkg(
      byPlatform({
        ubuntu: 'fonts-firacode',
        arch: 'ttf-fira-code',
        fedora: 'fira-code-fonts',
        macos: 'font-fira-code',
      }),
      {
        id: 'fonts',
      },
    )
  })
})

export const desktop = sls('desktop', () => {
  pkg(byPlatform({ ubuntu: 'gnome-tweaks', fedora: 'gnome-tweaks', arch: 'gnome-tweaks' }), { id: 'tweaks' })
})

const minimal = profile('minimal', { sls: [base] })
const development = profile('development', { sls: [base, dev], features: { docker: true } })
const workstation = profile('desktop', { sls: [base, dev, desktop], features: { fonts: true } })

inventory({
  machines: {
    'mbp-work': { platform: 'macos', environment: 'work', profile: development, users: ['grace'] },
    'ubuntu-desk': {
      platform: 'ubuntu',
      environment: 'personal',
      profile: workstation,
      users: ['grace', 'linus'],
    },
    'arch-laptop': { platform: 'arch', environment: 'personal', profile: workstation, users: ['linus'] },
    'fedora-vm': { platform: 'fedora', environment: 'minimal', profile: minimal },
  },
  onboarding: { environment: 'minimal', profile: minimal },
})
