/** The machines: one per platform, each with its environment, profile, users and machine layer. */
import { inventory, type MachineSpec } from 'salt-dsl'
import { layer } from './pillar/schema.ts'
import { CI_USER } from './pillar/users.ts'
import { desktop, development, minimal, work } from './profiles.ts'

const machines = {
  'mbp-work': { platform: 'macos', environment: 'work', profile: work, users: ['ada'] },
  'ubuntu-desk': { platform: 'ubuntu', environment: 'personal', profile: desktop, users: ['ada', 'grace'] },
  'arch-laptop': { platform: 'arch', environment: 'personal', profile: development, users: ['linus'] },
  'fedora-vm': { platform: 'fedora', environment: 'work', profile: work, users: ['grace'] },
  // the CI host's family: applied for real by test/config
  'debian-ci': { platform: 'debian', environment: 'minimal', profile: minimal, users: [CI_USER] },
} satisfies Record<string, MachineSpec>

export type MachineId = keyof typeof machines
export const MACHINES: Readonly<Record<MachineId, MachineSpec>> = machines

// a few machines carry values of their own
const extras: { readonly [id in MachineId]: Parameters<typeof layer>[1] } = {
  'arch-laptop': { features: { enable_database_services: true } },
  'ubuntu-desk': { packages: { auto_update: true } },
  'fedora-vm': { features: { install_fonts: false } },
  'mbp-work': { dotfiles: { shell: { path_prepend: ['$HOME/.local/bin', '/opt/homebrew/bin'] } } },
  'debian-ci': { packages: { auto_update: false } },
}
for (const [id, data] of Object.entries(extras)) layer(`machines/${id}`, data)

inventory({ machines, onboarding: { environment: 'minimal', profile: minimal } })
