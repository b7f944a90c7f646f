// Writes docs/profiles.md from the bundled config itself: for every profile on every platform, the SLS
// modules its machines get and the packages Salt would install. A copy of config/ gets one machine per
// profile and platform in its inventory; the real Salt renders each one's states (`dsl diff` against an empty
// tree: which package states the machine renders, after every `when()`), and the machine's merged pillar
// (`dsl show pillar`) gives the names in each list. So the page follows the config; the docs test checks it.
// `node scripts/gen-profiles-doc.js` writes the page.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..')
const PROFILES = ['minimal', 'development', 'desktop', 'work']
const PLATFORMS = ['debian', 'ubuntu', 'fedora', 'arch', 'macos']
// the environment a machine of each profile typically has (the inventory's own machines pair them so)
const ENVIRONMENT = { minimal: 'minimal', development: 'personal', desktop: 'personal', work: 'work' }

// the package states of config/states (packages.ts, work.ts) and the pillar list each installs
const TIERS = {
  'core-packages': 'core',
  'development-packages': 'development',
  'language-servers': 'language_servers',
  'database-packages': 'databases',
  'desktop-packages': 'desktop',
  'desktop-casks': 'casks.desktop',
  'media-packages': 'media',
  'media-casks': 'casks.media',
  'fonts-packages': 'fonts',
  'fonts-casks': 'casks.fonts',
  'games-packages': 'games',
  'games-casks': 'casks.games',
  'security-packages': 'security',
  'vpn-packages': 'vpn',
}

const machineId = (profile, platform) => `guide-${profile}-${platform}`

function dsl(args, cwd) {
  return execFileSync(process.execPath, [join(REPO, 'bin', 'dsl.js'), ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** A project holding a copy of config/ with one more machine per profile and platform. */
function guideProject() {
  const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-profiles-'))
  cpSync(join(REPO, 'config'), join(dir, 'config'), { recursive: true })
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(REPO, join(dir, 'node_modules', 'salt-dsl'))
  writeFileSync(join(dir, 'package.json'), '{ "name": "profile-guide", "type": "module", "private": true }\n')
  const inventory = join(dir, 'config', 'inventory.ts')
  const text = readFileSync(inventory, 'utf8')
  const entries = PROFILES.flatMap((profile) =>
    PLATFORMS.map(
      (platform) =>
        `  '${machineId(profile, platform)}': { platform: '${platform}', environment: '${ENVIRONMENT[profile]}', profile: ${profile}, users: ['ada'] },`,
    ),
  )
  const anchor = 'const machines = {'
  if (!text.includes(anchor)) throw new Error(`config/inventory.ts no longer holds '${anchor}'`)
  writeFileSync(inventory, text.replace(anchor, `${anchor}\n${entries.join('\n')}`))
  // the tree the diff starts from: nothing at all
  mkdirSync(join(dir, 'empty', 'config'), { recursive: true })
  mkdirSync(join(dir, 'empty', 'node_modules'))
  symlinkSync(REPO, join(dir, 'empty', 'node_modules', 'salt-dsl'))
  writeFileSync(join(dir, 'empty', 'package.json'), '{ "type": "module", "private": true }\n')
  writeFileSync(
    join(dir, 'empty', 'config', 'index.ts'),
    "import { pkg, sls, top } from 'salt-dsl'\nconst none = sls('none', () => { pkg('none') })\ntop('no-machine', [none])\n",
  )
  return dir
}

const at = (data, path) => path.split('.').reduce((v, k) => (v == null ? undefined : v[k]), data)

/** The profile's doc comment in config/profiles.ts: why it is there. */
function why(profile) {
  const source = readFileSync(join(REPO, 'config', 'profiles.ts'), 'utf8')
  const m = new RegExp(`/\\*\\*([^*]*(?:\\*(?!/)[^*]*)*)\\*/\\s*export const ${profile} = profile\\(`).exec(
    source,
  )
  return m ? m[1].replace(/\n\s*\*\s?/g, ' ').trim() : ''
}

/** What each guide machine renders: its SLS (top order), features on, and per tier the packages. */
export function collectProfiles() {
  const dir = guideProject()
  try {
    dsl(['build', '--no-typecheck'], join(dir, 'empty'))
    let diffText
    try {
      diffText = dsl(['diff', join(dir, 'empty', 'out'), '--all', '--format', 'json', '--no-typecheck'], dir)
    } catch (e) {
      // exit 1: there are differences, which is what is asked for
      if (e.status !== 1) throw new Error(`dsl diff failed: ${e.stderr ?? e}`)
      diffText = e.stdout
    }
    const diff = JSON.parse(diffText)
    const result = {}
    for (const profile of PROFILES) {
      result[profile] = { why: why(profile), environment: ENVIRONMENT[profile], platforms: {} }
      for (const platform of PLATFORMS) {
        const id = machineId(profile, platform)
        const pillar = JSON.parse(dsl(['show', 'pillar', '--machine', id, '--format', 'json'], dir))
        const top = dsl(['show', 'top', '--machine', id], dir)
          .split('\n')
          .map((l) => /^\s+- (\S+)$/.exec(l)?.[1])
          .filter((s) => s !== undefined)
        const machine = diff.machines.find((m) => m.machine === id)
        if (!machine) throw new Error(`dsl diff says nothing of ${id}`)
        const tiers = {}
        for (const s of machine.added ?? []) {
          const m = /^pkg\.installed (\S+)$/.exec(s.state)
          if (!m) continue
          const key = TIERS[s.id]
          if (key === undefined)
            throw new Error(`a package state the guide does not know: ${s.id} (add it to TIERS)`)
          tiers[key] = at(pillar.packages, key) ?? []
        }
        const features = Object.entries(pillar.features ?? {})
          .filter(([, on]) => on === true)
          .map(([k]) => k)
        result[profile].platforms[platform] = { top, tiers, features }
      }
    }
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * A hash of what the page is made from: every file of config/, this script and the pinned Salt's catalog. The
 * page records it, so the docs test sees a change to any of them (regenerating the page takes minutes: it
 * renders twenty machines with Salt).
 */
export function inputsHash(repo = REPO) {
  const hash = createHash('sha256')
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, e.name)
      if (e.isDirectory()) walk(path)
      else
        hash
          .update(`${path.slice(repo.length)}\0`)
          .update(readFileSync(path))
          .update('\0')
    }
  }
  walk(join(repo, 'config'))
  hash.update(readFileSync(fileURLToPath(import.meta.url)))
  hash.update(readFileSync(join(repo, 'dsl', 'catalog', 'salt-states.json')))
  return hash.digest('hex')
}

export const INPUTS_MARK = /<!-- inputs sha256: ([0-9a-f]{64}) -->/

/** The Markdown of docs/profiles.md. */
export function profilesPage(data = collectProfiles()) {
  const out = [
    '<!-- Generated by scripts/gen-profiles-doc.js from config/ and the real Salt: do not edit. -->',
    `<!-- inputs sha256: ${inputsHash()} -->`,
    '# The bundled configuration and its profiles',
    '',
    'The bundled `config/` is a complete workstation setup in the DSL, and a template to start from. This page is',
    'generated from it: for each profile, a machine of each platform is added to a copy of the inventory; Salt',
    'renders its states (so every `when()` and feature flag is applied as on a real machine) and its merged',
    'pillar gives the package names. Each profile is paired with the environment its machines have in the',
    'inventory (noted per profile); another environment can change the lists (the `work` environment drops',
    'games and media, for example).',
    '',
    'What is in `config/`:',
    '',
    '- **Pillar** (`config/pillar/`): defaults (`profile`, `features.*`, `user.create_directories`,',
    '  `user.backup_existing_configs`, `packages.auto_update`, `packages.install_recommended`, package tiers,',
    '  dotfile settings), environments `personal` / `work` (no games or media, VPN and security tools, work git',
    '  email, signed commits) / `minimal`, one layer per platform with real package names (Homebrew formulae and',
    '  casks, apt, pacman, dnf), machine layers and users.',
    '- **Profiles** (`config/profiles.ts`): below.',
    '- **Inventory** (`config/inventory.ts`): `mbp-work` (macOS), `ubuntu-desk`, `arch-laptop`, `fedora-vm` and',
    '  `debian-ci` (the CI host’s family, applied for real by the tests).',
    '- **Dotfiles**: git, bash and zsh, vim and neovim, tmux, ssh. Whole files come from Jinja templates in',
    '  `config/files/`; `~/.bashrc`, `~/.zshrc` and `~/.ssh/config` get a managed block, so the user’s own lines',
    '  stay. A file that was there before is kept once as `<file>.pre-dsl` before the first change.',
    '- **Operations** (`config/ops/`): `preflight` runs first with `failhard` (Salt version, free disk, write',
    '  permissions, the package source answers, the profile is known); `validation.*` is derived from what the',
    '  config declares (every package installed, every managed file syntax-checked by its own tool, symlinks,',
    '  services, users) and never reports a change on a converged machine; `reporting.*` writes JSON reports',
    '  into `ops:reports:dir` at the end of every highstate, with no timestamp; `maintenance.*` (updates, gated by',
    '  `packages.auto_update`, cleanup, config backups) runs on demand (`state.apply maintenance`), not in the',
    '  daily highstate; `orchestrate.*` runs the phases as `salt.state` steps for a salt-master',
    '  (`salt-run state.orchestrate orchestrate`).',
    '',
  ]
  for (const [profile, p] of Object.entries(data)) {
    out.push(`## ${profile}`, '')
    if (p.why) out.push(`${p.why} (From \`config/profiles.ts\`; environment \`${p.environment}\`.)`, '')
    const first = p.platforms[PLATFORMS[0]]
    out.push(`SLS modules, in top-file order: ${first.top.map((s) => `\`${s}\``).join(', ')}.`, '')
    const sameTop = PLATFORMS.every((pl) => p.platforms[pl].top.join() === first.top.join())
    if (!sameTop) out.push('(The modules differ by platform; the list above is for Debian.)', '')
    out.push(`Features on: ${first.features.map((f) => `\`${f}\``).join(', ') || 'none'}.`, '')
    const keys = [...new Set(PLATFORMS.flatMap((pl) => Object.keys(p.platforms[pl].tiers)))]
    const order = Object.values(TIERS)
    keys.sort((a, b) => order.indexOf(a) - order.indexOf(b))
    out.push(`| packages | ${PLATFORMS.join(' | ')} |`, `|---|${PLATFORMS.map(() => '---').join('|')}|`)
    for (const key of keys) {
      const cells = PLATFORMS.map((pl) => {
        const list = p.platforms[pl].tiers[key]
        return list === undefined ? '–' : list.join(', ') || '–'
      })
      out.push(`| \`${key}\` | ${cells.join(' | ')} |`)
    }
    out.push('')
  }
  return `${out.join('\n').trimEnd()}\n`
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--check')) {
  // for the docs test: the page was made from the config as it is (its recorded inputs hash matches)
  const path = join(REPO, 'docs', 'profiles.md')
  const recorded = INPUTS_MARK.exec(existsSync(path) ? readFileSync(path, 'utf8') : '')?.[1]
  const current = recorded === inputsHash()
  console.log(`${path}: ${current ? 'current' : 'stale: run node scripts/gen-profiles-doc.js'}`)
  process.exit(current ? 0 : 1)
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = join(REPO, 'docs', 'profiles.md')
  writeFileSync(path, profilesPage())
  console.log(`${path}: written`)
}
