/** The merged pillar of every machine: one zod schema; each layer file is a deep-partial of it. */
import { pillarSchema, z } from 'salt-dsl'
import { opsSchema } from '../ops/index.ts'

export const PROFILE_NAMES = ['minimal', 'development', 'desktop', 'work'] as const
export const ENVIRONMENT_NAMES = ['personal', 'work', 'minimal'] as const

const names = z.array(z.string().min(1))

/** Package lists by tier, with each platform's real names (set by the platform layers). */
const packages = z.object({
  auto_update: z.boolean(),
  install_recommended: z.boolean(),
  core: names,
  development: names,
  language_servers: names,
  databases: names,
  desktop: names,
  media: names,
  fonts: names,
  games: names,
  security: names,
  vpn: names,
  /** Homebrew casks (macOS applications), by tier; empty elsewhere. */
  casks: z.object({ desktop: names, media: names, fonts: names, games: names }),
})

const features = z.object({
  install_development_tools: z.boolean(),
  install_desktop_apps: z.boolean(),
  install_fonts: z.boolean(),
  enable_shell_integrations: z.boolean(),
  install_games: z.boolean(),
  install_media_tools: z.boolean(),
  install_security_tools: z.boolean(),
  enable_work_vpn: z.boolean(),
  enable_database_services: z.boolean(),
})

const dotfiles = z.object({
  git: z.object({
    default_branch: z.string(),
    pull_rebase: z.boolean(),
    sign_commits: z.boolean(),
    /** Use each account's `work_email` instead of its `email`. */
    use_work_email: z.boolean(),
  }),
  shell: z.object({
    history_size: z.number().int().positive(),
    aliases: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.string()),
    path_prepend: names,
  }),
  editor: z.object({ tab_width: z.number().int().positive(), line_numbers: z.boolean() }),
  tmux: z.object({ prefix: z.string().regex(/^C-[a-z]$/), mouse: z.boolean(), history_limit: z.number() }),
  ssh: z.object({
    server_alive_interval: z.number().int().nonnegative(),
    hash_known_hosts: z.boolean(),
    strict_host_key_checking: z.enum(['yes', 'ask', 'accept-new']),
    forward_agent: z.boolean(),
  }),
})

/** A person with a login on some machines (`users/<name>` layers). */
export const account = z.object({
  fullname: z.string(),
  email: z.email(),
  work_email: z.email().optional(),
  shell: z.string().startsWith('/'),
  editor: z.enum(['vim', 'nvim']),
  /** Groups to join where they exist (Salt's optional_groups). */
  groups: names,
  signing_key: z.string().optional(),
})

export const schema = z.object({
  profile: z.enum(PROFILE_NAMES),
  environment: z.enum(ENVIRONMENT_NAMES),
  features,
  user: z.object({ create_directories: z.boolean(), backup_existing_configs: z.boolean() }),
  packages,
  dotfiles,
  security: z.object({
    compliance_checks: z.boolean(),
    screen_lock_minutes: z.number().int().positive(),
    vpn_gateway: z.string(),
  }),
  accounts: z.record(z.string(), account),
  /** Pre-flight thresholds, report and backup directories (config/ops). */
  ops: opsSchema,
})

export type Pillar = z.infer<typeof schema>

export const { pillar, layer } = pillarSchema(schema)
