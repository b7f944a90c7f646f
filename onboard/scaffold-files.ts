import type { Platform } from '../dsl/platform.ts'

/** What `dsl init` asks (or takes by default) before it writes a project. */
export interface ProjectAnswers {
  /** The npm package name of the project. */
  readonly name: string
  /** This machine's minion id. */
  readonly machine: string
  readonly platform: Platform
  readonly profile: string
  readonly environment: string
  /** The people whose dotfiles the config manages; the machine's user layers. */
  readonly users: readonly string[]
  /** The `salt-dsl` dependency as package.json writes it (a version range or `file:` a checkout). */
  readonly saltDsl: string
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
const list = (items: readonly string[]) => `[${items.map(quote).join(', ')}]`
/** A profile name as a TypeScript identifier (`my-dev` → `myDev`). */
export const profileVariable = (name: string): string => {
  const camel = name
    .replace(/[-_]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase())
    .replace(/[^A-Za-z0-9]/g, '')
  return /^[A-Za-z]/.test(camel) ? camel : `p${camel}`
}

/** The files of a new project, by path relative to its root. */
export function scaffoldFiles(a: ProjectAnswers): Map<string, string> {
  const files = new Map<string, string>()
  const profileVar = profileVariable(a.profile)
  files.set(
    'package.json',
    json({
      name: a.name,
      private: true,
      type: 'module',
      scripts: { build: 'dsl build', check: 'dsl check', plan: 'dsl plan', apply: 'dsl apply' },
      dependencies: { 'salt-dsl': a.saltDsl },
    }),
  )
  files.set(
    'tsconfig.json',
    json({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        verbatimModuleSyntax: true,
        allowImportingTsExtensions: true,
        noEmit: true,
        skipLibCheck: true,
      },
      include: ['config'],
    }),
  )
  // out (a link to its current generation) and the generations (.out.d) are build output; .venv/ is Salt,
  // if the project gets its own
  files.set('.gitignore', 'node_modules/\nout\n.out.d/\n.venv/\n')
  files.set(
    'config/index.ts',
    `// What \`dsl build\` builds: the pillar, then the inventory (which brings in the profiles and their states).
import './pillar.ts'
import './inventory.ts'
`,
  )
  files.set(
    'config/pillar.ts',
    `// The pillar's schema: it types every \`pillar.\` lookup and every layer (a wrong key is an editor error).
import { pillarSchema, z } from 'salt-dsl'

export const { pillar, layer } = pillarSchema(
  z.object({
    /** The editor the users' shells start. */
    editor: z.string(),
  }),
)

layer('defaults/common', { editor: 'vi' })
layer('environments/${a.environment}', {})
`,
  )
  files.set(
    'config/users.ts',
    `/** The people whose dotfiles this config manages (each needs an account on every machine of the profile). */
export const users: readonly string[] = ${list(a.users)}
`,
  )
  files.set(
    'config/states/dotfiles.ts',
    `import { dotfile, sls } from 'salt-dsl'
import { pillar } from '../pillar.ts'
import { users } from '../users.ts'

const EDITORCONFIG = \`root = true

[*]
end_of_line = lf
insert_final_newline = true
\`

export const dotfiles = sls('dotfiles', () => {
  for (const user of users) {
    dotfile('.editorconfig', { user, contents: EDITORCONFIG })
    dotfile('.config/salt-dsl/editor', { user, contents: pillar.editor })
  }
})
`,
  )
  files.set(
    'config/profiles.ts',
    `// A profile names the SLS modules (and feature flags) a machine gets.
import { profile } from 'salt-dsl'
import { dotfiles } from './states/dotfiles.ts'

export const ${profileVar} = profile(${quote(a.profile)}, { sls: [dotfiles] })
`,
  )
  files.set(
    'config/inventory.ts',
    `// The machines: \`dsl machine add\` registers this one, \`dsl machine list\` shows them all.
import { inventory, type MachineSpec } from 'salt-dsl'
import { layer } from './pillar.ts'
import { ${profileVar} } from './profiles.ts'

const machines = {
  ${/^[A-Za-z_$][\w$]*$/.test(a.machine) ? a.machine : quote(a.machine)}: {
    platform: ${quote(a.platform)},
    environment: ${quote(a.environment)},
    profile: ${profileVar},
    users: ${list(a.users)},
  },
} satisfies Record<string, MachineSpec>

// values of one machine only
layer(${quote(`machines/${a.machine}`)}, {})

inventory({ machines, onboarding: { environment: ${quote(a.environment)}, profile: ${profileVar} } })
`,
  )
  return files
}
