// Watch mode's quick rebuild (modules that did not change are replayed, unchanged states keep their nodes,
// the graph and the emit reuse what they made for them) against the oracle of a full compile, over a run
// of edits of a config of several modules that point at each other's states.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type Compiled, compile } from '../../compiler/compile.ts'
import { configModules } from '../../compiler/load/load-config.ts'
import { newReuse } from '../../compiler/reuse.ts'
import { REPO, tempDir } from '../support/cli.ts'

const FILES: Record<string, string> = {
  'index.ts': `import { inventory, profile, top } from 'salt-dsl'
import { base } from './base.ts'
import './layers.ts'
import { apps } from './apps.ts'
import { extra } from './extra.ts'
import { late } from './late.ts'
const dev = profile('development', { sls: [base, apps, extra, late] })
inventory({ machines: { 'box-1': { platform: 'ubuntu', environment: 'home', profile: dev } } })
top('*', [base, apps, extra, late])
import './giver.ts'
import './taker.ts'
import './grp.ts'
import './user.ts'
`,
  // two modules that share handles through a third, neither importing the other
  'shared.ts': `import type { SlsHandle, StateHandle } from 'salt-dsl'
export const pool: StateHandle[] = []
export const groups: SlsHandle[] = []
export const cmds: StateHandle[] = []
`,
  'giver.ts': `import { pkg, sls } from 'salt-dsl'
import { pool } from './shared.ts'
sls('giver', () => { pool.push(pkg('rsync')); pkg('zip') })
`,
  'taker.ts': `import { pkg, sls } from 'salt-dsl'
import { pool } from './shared.ts'
sls('taker', () => { pkg('unison', { require: [pool[0]!] }) })
`,
  'grp.ts': `import { pkg, sls } from 'salt-dsl'
import { cmds, groups } from './shared.ts'
void cmds
groups.push(sls('ga', () => { pkg('p1') }))
sls('gb', () => { pkg('p2') })
`,
  'user.ts': `import { cmd, sls } from 'salt-dsl'
import { cmds, groups } from './shared.ts'
sls('user', () => { cmds.push(cmd('/bin/true', { require: [groups[0]!] })) })
`,
  'layers.ts': `import { layer } from 'salt-dsl'
layer('defaults/common', { editor: 'vim', motd: 'hello' })
layer('environments/home', { motd: 'home' })
`,
  'base.ts': `import { file, pkg, type StateHandle, sls } from 'salt-dsl'
export let gitPkg!: StateHandle<'pkg'>
export const base = sls('base', () => {
  gitPkg = pkg('git')
  file('/etc/motd-dsl', { contents: 'one\\n' })
})
`,
  'apps.ts': `import { pkg, service, sls, when, pillar } from 'salt-dsl'
import { gitPkg } from './base.ts'
export let vim: ReturnType<typeof pkg> | undefined
export const apps = sls('apps', () => {
  vim = pkg('vim', { require: [gitPkg] })
  when(pillar.editor, () => { pkg('emacs', { require: [gitPkg] }) })
  service('cron', { enable: true })
})
`,
  'extra.ts': `import { cmd, sls } from 'salt-dsl'
import { vim } from './apps.ts'
export const extra = sls('extra', () => {
  cmd('/usr/bin/true', { onchanges: [() => vim!] })
})
`,
  'reg.ts': `import type { StateHandle } from 'salt-dsl'
export const handles: StateHandle[] = []
`,
  'late.ts': `import { pkg, sls } from 'salt-dsl'
import { handles } from './reg.ts'
import './fill.ts'
export const late = sls('late', () => { pkg('wget', { require: () => handles[0]! }) })
`,
  'fill.ts': `import { pkg, sls } from 'salt-dsl'
import { handles } from './reg.ts'
export const fill = sls('fill', () => { handles.push(pkg('curl')) })
`,
}

type Edit = (text: string) => string

/** Each step edits one file (or two), then both compiles run. */
const STEPS: [name: string, file: string, edit: Edit, also?: [file: string, edit: Edit]][] = [
  ['a value in a module others import', 'base.ts', (t) => t.replace("'one\\n'", "'two\\n'")],
  [
    'a state added before others (keys shift)',
    'base.ts',
    (t) => t.replace("gitPkg = pkg('git')", "pkg('zsh')\n  gitPkg = pkg('git')"),
  ],
  [
    'the ID a requisite points at',
    'base.ts',
    (t) => t.replace("pkg('git')", "pkg('git', { id: 'git-tool' })"),
  ],
  ['a layer (a module without states)', 'layers.ts', (t) => t.replace("motd: 'home'", "motd: 'away'")],
  [
    'a module nothing imports changes nothing else',
    'extra.ts',
    (t) => t.replace('/usr/bin/true', '/usr/bin/false'),
  ],
  ['an SLS declared twice across modules', 'extra.ts', (t) => t.replace("sls('extra'", "sls('apps'")],
  ['fixed again', 'extra.ts', (t) => t.replace("sls('apps'", "sls('extra'")],
  ['a syntax error', 'apps.ts', (t) => `${t}\nsls(`],
  ['fixed', 'apps.ts', (t) => t.replace(/\nsls\($/, '')],
  [
    'a throw',
    'apps.ts',
    (t) => t.replace("service('cron'", "if (Date.now() > 0) throw new Error('boom')\n  service('cron'"),
  ],
  ['fixed', 'apps.ts', (t) => t.replace("if (Date.now() > 0) throw new Error('boom')\n  ", '')],
  [
    'an argument of the wrong type',
    'apps.ts',
    (t) => t.replace('{ enable: true }', "{ enable: 'yes' as unknown as boolean }"),
  ],
  ['fixed', 'apps.ts', (t) => t.replace("{ enable: 'yes' as unknown as boolean }", '{ enable: true }')],
  ['a state removed at the end', 'apps.ts', (t) => t.replace("  service('cron', { enable: true })\n", '')],
  [
    'a replayed module keeps a handle of one that ran again (full run instead)',
    'fill.ts',
    (t) => t.replace("pkg('curl')", "pkg('curl', { refresh: true })"),
  ],
  [
    'a duplicate state ID across modules',
    'extra.ts',
    (t) => t.replace("cmd('/usr/bin/false', {", "cmd('/usr/bin/false', { id: 'vim',"),
  ],
  ['fixed', 'extra.ts', (t) => t.replace("{ id: 'vim',", '{')],
  [
    'a requisite cycle across modules',
    'extra.ts',
    (t) =>
      t.replace('  cmd(', "  cmd('/usr/bin/a', { require: [() => vim!], require_in: [() => vim!] })\n  cmd("),
  ],
  [
    'fixed',
    'extra.ts',
    (t) => t.replace("  cmd('/usr/bin/a', { require: [() => vim!], require_in: [() => vim!] })\n", ''),
  ],
  [
    'a layer declared twice (the later module records the issue)',
    'base.ts',
    (t) =>
      `${t.replace('import { file,', 'import { file, layer,')}layer('environments/home', { motd: 'x' })\n`,
  ],
  [
    'the later module runs again while the duplicate stands',
    'layers.ts',
    (t) => t.replace("'away'", "'afar'"),
  ],
  [
    'the first one removed: the replayed later module is checked again',
    'base.ts',
    (t) =>
      t
        .replace('import { file, layer,', 'import { file,')
        .replace("layer('environments/home', { motd: 'x' })\n", ''),
  ],
  [
    'a cycle from a changed requisite (as many states as before)',
    'extra.ts',
    (t) => t.replace('{ onchanges: [() => vim!] }', '{ onchanges: [() => vim!], require_in: [() => vim!] }'),
  ],
  ['fixed', 'extra.ts', (t) => t.replace(', require_in: [() => vim!] }', ' }')],
  ['an edit of the same size', 'base.ts', (t) => t.replace("'two\\n'", "'six\\n'")],
  [
    'a value changes while another module makes a graph error (nothing is emitted)',
    'base.ts',
    (t) => t.replace("'six\\n'", "'ten\\n'"),
    ['extra.ts', (t) => t.replace("cmd('/usr/bin/false', {", "cmd('/usr/bin/false', { id: 'vim',")],
  ],
  [
    'the error fixed: the SLS changed two builds ago is emitted anew',
    'extra.ts',
    (t) => t.replace("{ id: 'vim',", '{'),
  ],
  [
    'a new module, imported (its file new to the watcher too)',
    'more.ts',
    () => "import { pkg, sls } from 'salt-dsl'\nexport const more = sls('more', () => { pkg('tree') })\n",
    [
      'index.ts',
      (t) =>
        t
          .replace(
            "import { late } from './late.ts'",
            "import { late } from './late.ts'\nimport { more } from './more.ts'",
          )
          .replace("top('*', [base, apps, extra, late])", "top('*', [base, apps, extra, late, more])"),
    ],
  ],
  [
    'a module nothing imports yet',
    'spare.ts',
    () => "import { pkg, sls } from 'salt-dsl'\nexport const spare = sls('spare', () => { pkg('tig') })\n",
  ],
  ['now imported (only the importer changed)', 'index.ts', (t) => `${t}import './spare.ts'\n`],
  [
    'a directory imported by its index',
    'lib/index.ts',
    () => "import { pkg, sls } from 'salt-dsl'\nsls('lib', () => { pkg('mc') })\n",
    ['index.ts', (t) => `${t}import './lib'\n`],
  ],
  [
    'a new file the same import resolves to first (no importer changed)',
    'lib.ts',
    () => "import { pkg, sls } from 'salt-dsl'\nsls('lib', () => { pkg('ncdu') })\n",
  ],
  ['a file that is not a module', 'notes.txt', () => 'not config\n'],
  [
    'a replayed module holds a plain handle; the module that made it declares its states in another order',
    'giver.ts',
    (t) => t.replace("pool.push(pkg('rsync')); pkg('zip')", "pkg('zip'); pool.push(pkg('rsync'))"),
  ],
  [
    'a state moves into the SLS a replayed module requires whole, and closes a cycle through it',
    'grp.ts',
    (t) =>
      t
        .replace("pkg('p1') }))", "pkg('p1'); pkg('p2', { require: [() => cmds[0]!] }) }))")
        .replace("sls('gb', () => { pkg('p2') })", "sls('gb', () => {})"),
  ],
  [
    'fixed',
    'grp.ts',
    (t) =>
      t
        .replace("pkg('p1'); pkg('p2', { require: [() => cmds[0]!] }) }))", "pkg('p1') }))")
        .replace("sls('gb', () => {})", "sls('gb', () => { pkg('p2') })"),
  ],
  [
    'one module gains a state and a later one loses one: the replays between move, the count stays',
    'extra.ts',
    (t) =>
      t.replace(
        "export const extra = sls('extra', () => {",
        "export const extra = sls('extra', () => {\n  cmd('/usr/bin/env')",
      ),
    ['grp.ts', (t) => t.replace("sls('gb', () => { pkg('p2') })", "sls('gb', () => {})")],
  ],
  [
    'a state others point at moves under a when() (theirs are the same nodes)',
    'base.ts',
    (t) =>
      t
        .replace('import { file,', 'import { file, pillar, when,')
        .replace(
          "gitPkg = pkg('git', { id: 'git-tool' })",
          "when(pillar.editor, () => { gitPkg = pkg('git', { id: 'git-tool' }) })",
        ),
  ],
  [
    'and back',
    'base.ts',
    (t) =>
      t
        .replace('import { file, pillar, when,', 'import { file,')
        .replace(
          "when(pillar.editor, () => { gitPkg = pkg('git', { id: 'git-tool' }) })",
          "gitPkg = pkg('git', { id: 'git-tool' })",
        ),
  ],
]

/** Watch mode's compile: incremental, its modules and caches kept from one call to the next. */
function watchCompile(entry: string, outDir: string, root: string) {
  const modules = configModules(root)
  const reuse = newReuse()
  return (changed?: ReadonlySet<string>) =>
    compile({
      entry,
      outDir,
      typecheck: false,
      modules,
      incremental: true,
      reuse,
      ...(changed ? { changed } : {}),
    })
}

function outcome(c: Compiled) {
  const diagnostics = c.diagnostics.map(
    (d) => `${d.code} ${d.message} ${d.origin?.file}:${d.origin?.line}:${d.origin?.column}`,
  )
  const tree = c.tree === undefined ? undefined : [...c.tree].map(([path, data]) => [path, String(data)])
  return { failedStage: c.failedStage, diagnostics, tree }
}

describe.each([
  ['every file looked at', false],
  ['told which files changed', true],
])('watch: the quick rebuild (%s)', (_label, told) => {
  it('gives what a full compile gives, edit after edit', async () => {
    const dir = tempDir('salt-dsl-incremental-')
    const texts = new Map(Object.entries(FILES))
    for (const [name, text] of texts) writeFileSync(join(dir, name), text)
    const entry = join(dir, 'index.ts')
    const outDir = join(dir, 'out')
    const rebuild = watchCompile(entry, outDir, dir)
    const quick = (changed?: Set<string>) => rebuild(told ? changed : undefined)
    const full = () => compile({ entry, outDir, typecheck: false })
    const first = await quick()
    expect(first.failedStage).toBeUndefined()
    expect(outcome(first)).toEqual(outcome(await full()))
    let replayed = 0
    for (const [name, file, edit, also] of STEPS) {
      const changed = new Set<string>()
      for (const [f, e] of [[file, edit], ...(also ? [also] : [])] as const) {
        const before = texts.get(f) ?? ''
        const after = e(before)
        expect(after, name).not.toBe(before)
        texts.set(f, after)
        mkdirSync(dirname(join(dir, f)), { recursive: true })
        writeFileSync(join(dir, f), after)
        changed.add(join(dir, f))
      }
      const q = await quick(changed)
      replayed += q.loaded?.ran.replayed ?? 0
      expect(outcome(q), name).toEqual(outcome(await full()))
    }
    // the quick rebuilds did replay modules (the test would otherwise compare two full compiles)
    expect(replayed).toBeGreaterThan(STEPS.length)
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('watch: the quick rebuild, told which files changed', () => {
  it('looks at a module outside the watched directory every time (no watcher names it)', async () => {
    const dir = tempDir('salt-dsl-incremental-outside-')
    mkdirSync(join(dir, 'cfg'))
    const shared = (name: string) => `export const tools = ['${name}']\n`
    writeFileSync(join(dir, 'shared.ts'), shared('jq'))
    writeFileSync(
      join(dir, 'cfg', 'index.ts'),
      "import { pkg, sls, top } from 'salt-dsl'\nimport { tools } from '../shared.ts'\nexport const a = sls('a', () => { for (const t of tools) pkg(t) })\ntop('*', [a])\n",
    )
    const entry = join(dir, 'cfg', 'index.ts')
    const outDir = join(dir, 'out')
    const quick = watchCompile(entry, outDir, join(dir, 'cfg'))
    expect((await quick(new Set())).failedStage).toBeUndefined()
    // WHEN the outside module changes and the watcher (of cfg/) names nothing
    writeFileSync(join(dir, 'shared.ts'), shared('fd'))
    const q = await quick(new Set())
    // THEN the quick rebuild still sees it
    expect(outcome(q)).toEqual(outcome(await compile({ entry, outDir, typecheck: false })))
    expect(String(q.tree?.get('salt/a.sls'))).toContain('fd:')
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('watch: the quick rebuild of the bundled config', () => {
  it('gives what a full compile gives after an edit of a pillar layer and of a state module', async () => {
    // operations() is made in one module and finished in another (the profiles, then index.ts): a replay
    // of the first must not keep the orchestrate SLS of an earlier run from being declared again
    const dir = join(tempDir('salt-dsl-incremental-bundled-'), 'config')
    cpSync(join(REPO, 'config'), dir, { recursive: true })
    const entry = join(dir, 'index.ts')
    const outDir = join(dir, '..', 'out')
    const quick = watchCompile(entry, outDir, dir)
    expect((await quick()).failedStage).toBeUndefined()
    const edits: [string, string, string][] = [
      ['pillar/defaults.ts', 'screen_lock_minutes: 15', 'screen_lock_minutes: 16'],
      ['pillar/defaults.ts', 'screen_lock_minutes: 16', 'screen_lock_minutes: 15'],
      ['states/dotfiles.ts', "ownDotfile(u, '.tmux.conf', {", "ownDotfile(u, '.tmux.conf.local', {"],
    ]
    for (const [file, from, to] of edits) {
      const path = join(dir, file)
      const text = readFileSync(path, 'utf8')
      expect(text).toContain(from)
      writeFileSync(path, text.replace(from, to))
      const q = await quick(new Set([path]))
      expect(q.loaded?.ran.replayed).toBeGreaterThan(0)
      expect(outcome(q), `${file}: ${to}`).toEqual(
        outcome(await compile({ entry, outDir, typecheck: false })),
      )
    }
    rmSync(join(dir, '..'), { recursive: true, force: true })
  })
})
