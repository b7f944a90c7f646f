// Every builder takes every argument of the Salt function(s) it wraps: for each (builder, function) pair
// the TypeScript compiler lists the catalog's argument names the builder's options lack; the list must be
// empty, and a builder that dropped one is named with the arguments it misses.
import { join } from 'node:path'
import { Project, ts } from 'ts-morph'
import { describe, expect, it } from 'vitest'
import { file, git, pillarSchema, pkgrepo, service, sls, state, user, z } from '../../dsl/index.ts'
import { resetSession, session } from '../../dsl/session.ts'
import { REPO } from '../support/cli.ts'

/** builder → Salt function → the options type (under dsl/states/) that call takes. */
const PAIRS: readonly (readonly [builder: string, fn: string, file: string, type: string])[] = [
  ['user', 'user.present', 'account', 'UserPresentOptions'],
  ['user', 'user.absent', 'account', 'UserAbsentOptions'],
  ['group', 'group.present', 'account', 'GroupPresentOptions'],
  ['group', 'group.absent', 'account', 'GroupAbsentOptions'],
  ['service', 'service.running', 'service', 'ServiceRunningOptions'],
  ['service', 'service.dead', 'service', 'ServiceDeadOptions'],
  ['pkg', 'pkg.installed', 'pkg', 'PkgInstalledOptions'],
  ['pkg', 'pkg.latest', 'pkg', 'PkgLatestOptions'],
  ['pkg', 'pkg.removed', 'pkg', 'PkgRemovedOptions'],
  ['pkg', 'pkg.purged', 'pkg', 'PkgPurgedOptions'],
  ['cmd', 'cmd.run', 'cmd', 'CmdOptions'],
  ['git', 'git.latest', 'misc', 'GitOptions'],
  ['pkgrepo', 'pkgrepo.managed', 'misc', 'PkgrepoManagedOptions'],
  ['pkgrepo', 'pkgrepo.absent', 'misc', 'PkgrepoAbsentOptions'],
  ['cron', 'cron.present', 'misc', 'CronPresentOptions'],
  ['cron', 'cron.absent', 'misc', 'CronAbsentOptions'],
  ['archive', 'archive.extracted', 'misc', 'ArchiveOptions'],
  ['file', 'file.managed', 'file', "Extract<FileSpec, { ensure?: 'managed' }>"],
  ['file', 'file.directory', 'file', "Extract<FileSpec, { ensure: 'directory' }>"],
  ['file', 'file.recurse', 'file', "Extract<FileSpec, { ensure: 'recurse' }>"],
  ['file', 'file.symlink', 'file', "Extract<FileSpec, { ensure: 'symlink' }>"],
  ['file', 'file.absent', 'file', "Extract<FileSpec, { ensure: 'absent' }>"],
  ['file', 'file.exists', 'file', "Extract<FileSpec, { ensure: 'exists' }>"],
  ['file', 'file.append', 'file', "Extract<FileSpec, { ensure: 'append' }>"],
  ['file', 'file.blockreplace', 'file', "Extract<FileSpec, { ensure: 'blockreplace' }>"],
]

/** Arguments a builder takes as its first parameter rather than as an option. */
const POSITIONAL: Readonly<Record<string, readonly string[]>> = { pkg: ['pkgs'] }

/** For each pair, the Salt arguments its options type lacks (as the compiler computes `Uncovered`). */
function uncovered(): Map<string, string[]> {
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true,
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
    },
  })
  const states = join(REPO, 'dsl/states')
  const imports = [...new Set(PAIRS.map(([, , file]) => file))]
    .map((file) => `import type * as ${file} from '${join(states, `${file}.ts`)}'`)
    .join('\n')
  const aliases = PAIRS.map(([, fn, file, type], i) => {
    const qualified = type.replace(/\b([A-Z][A-Za-z]+)\b/, `${file}.$1`)
    return `export type P${i} = Uncovered<'${fn}', ${qualified}>`
  }).join('\n')
  const source = `import type { Uncovered } from '${join(states, 'salt-args.ts')}'\n${imports}\n${aliases}\n`
  const file = project.createSourceFile(join(REPO, 'test/types/__coverage__.ts'), source, { overwrite: true })
  const out = new Map<string, string[]>()
  PAIRS.forEach(([builder, fn], i) => {
    const type = file.getTypeAliasOrThrow(`P${i}`).getType()
    const members = type.isUnion() ? type.getUnionTypes() : type.isNever() ? [] : [type]
    const names = members.map((t) => t.getText().replace(/"/g, ''))
    out.set(`${builder}() → ${fn}`, names.filter((n) => !POSITIONAL[builder]?.includes(n)).sort())
  })
  return out
}

describe('builders cover the arguments of the Salt functions they wrap (catalog of the pinned Salt)', () => {
  it('every builder takes every argument of each function it emits', () => {
    const missing = uncovered()
    expect(missing.size).toBe(PAIRS.length)
    const gaps = [...missing]
      .filter(([, names]) => names.length > 0)
      .map(([pair, names]) => `${pair}: ${names.join(', ')}`)
    expect(gaps).toEqual([])
  }, 120_000)
})

describe('builder arguments take pillar and grains lookups of their type (checked by tsc --noEmit)', () => {
  it('a pillar boolean for service({ enable }) and a pillar number for user({ uid }) need no cast', () => {
    resetSession()
    const { pillar } = pillarSchema(
      z.object({
        web: z.object({ enable: z.boolean(), uid: z.number(), hash: z.string(), port: z.number() }),
      }),
    )
    sls('builders', () => {
      service('nginx', { enable: pillar.web.enable })
      user('web', {
        uid: pillar.web.uid,
        password: pillar.web.hash,
        expire: 19_000,
        optional_groups: ['www'],
      })
      git('https://example.org/r.git', { target: '/srv/r', submodules: true, identity: '/root/.ssh/id' })
      pkgrepo('deb https://example.org/apt stable main', { keyid: 'ABC', keyserver: 'keyserver.ubuntu.com' })
      file('/srv/www', { ensure: 'recurse', source: 'salt://www', clean: true })
      file('/etc/hosts.allow', { ensure: 'append', text: 'sshd: ALL' })
      file('/etc/secret', { contents_pillar: 'web:hash', show_changes: false, mode: 0o600 })
      state('file.directory', { name: '/srv/state-dir', mode: 0o750, dir_mode: 0o755 })
      // @ts-expect-error a number lookup is not a boolean
      service('other', { enable: pillar.web.port })
      // @ts-expect-error a string lookup is not a uid
      user('other', { uid: pillar.web.hash })
    })
    const recorded = session().states.map((s) => `${s.module}.${s.fun} ${Object.keys(s.args).join(',')}`)
    expect(recorded).toContain('service.running enable')
    expect(recorded).toContain('file.recurse source,clean')
    expect(recorded).toContain('file.managed contents_pillar,show_changes,mode')
    expect(session().states.find((s) => s.id === '/etc/secret')?.args.mode).toBe('0600')
    // state() too: Salt would read the number 488 (0o750) as mode 0488
    expect(session().states.find((s) => s.id === '/srv/state-dir')?.args).toMatchObject({
      mode: '0750',
      dir_mode: '0755',
    })
  })
})
