// `dsl diff` through the real CLI and the real Salt on two commits of a temporary git repository: per
// machine, states added, removed and changed (arguments, requisites, SLS moved) and pillar keys changed,
// against a revision built in a temporary worktree or against a built tree.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'

describe('dsl diff (two commits of a temporary repository)', () => {
  let repo: string
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', '-C', repo, ...args], {
      encoding: 'utf8',
    })

  beforeAll(() => {
    repo = tempDir('salt-dsl-diff-')
    git('init', '-q')
    const one = readFileSync(join(REPO, 'examples/multi-machine/index.ts'), 'utf8')
    writeFileSync(join(repo, 'index.ts'), one)
    git('add', '.')
    git('commit', '-qm', 'one')
    const two = one
      .replace("motd: 'the laptop'", "motd: 'the new laptop'")
      .replace(
        "  file('/etc/motd', { contents: pillar.motd })\n",
        "  file('/etc/issue.net', { contents: 'hello', mode: '0640' })\n",
      )
      .replace(
        "  dotfile('.gitconfig', { user: 'ada', contents: pillar.git.email, require: [git] })\n",
        "  dotfile('.gitconfig', { user: 'ada', contents: pillar.git.email, mode: '0600' })\n  file('/etc/motd', { contents: pillar.motd })\n",
      )
    expect(two).not.toBe(one)
    writeFileSync(join(repo, 'index.ts'), two)
    git('commit', '-qam', 'two')
  })

  it('per machine: added, changed arguments and requisites, an SLS move, a pillar key', () => {
    const run = dsl(['diff', 'HEAD~1', repo, '--machine', 'arch-laptop', '--no-typecheck'])
    expect(run.status, run.stderr).toBe(1)
    expect(run.stdout).toContain('machine arch-laptop: 1 added, 0 removed, 2 changed, 1 pillar key(s)')
    expect(run.stdout).toContain('  + file.managed /etc/issue.net  sls base')
    expect(run.stdout).toContain('  ~ file.managed ~ada/.gitconfig  sls dev')
    expect(run.stdout).toContain('      mode: "0644" → "0600"')
    expect(run.stdout).toContain('      - require pkg: git')
    expect(run.stdout).toContain('  ~ file.managed /etc/motd  sls dev')
    expect(run.stdout).toContain('      contents: "the laptop" → "the new laptop"')
    expect(run.stdout).toContain('      moved: sls base → dev')
    expect(run.stdout).toContain('  ~ pillar motd: "the laptop" → "the new laptop"')
    // the worktree is gone again
    expect(git('worktree', 'list').trim().split('\n')).toHaveLength(1)
  })

  it('every machine as JSON and markdown; against a built tree; the same build is no difference', () => {
    const json = dsl(['diff', 'HEAD~1', repo, '--all', '--format', 'json', '--no-typecheck'])
    expect(json.status, json.stderr).toBe(1)
    const d = JSON.parse(json.stdout) as { machines: { machine: string; pillar: { key: string }[] }[] }
    expect(d.machines.map((m) => m.machine).sort()).toEqual([
      'arch-laptop',
      'fedora-vm',
      'mbp-work',
      'ubuntu-desk',
    ])
    // only the laptop's motd changed in the pillar; fedora-vm (minimal profile) has no dev SLS
    expect(d.machines.find((m) => m.machine === 'mbp-work')?.pillar).toEqual([])
    const md = dsl([
      'diff',
      'HEAD~1',
      repo,
      '--machine',
      'fedora-vm',
      '--format',
      'markdown',
      '--no-typecheck',
    ])
    expect(md.stdout).toContain('### fedora-vm: 1 added, 1 removed, 0 changed, 0 pillar key(s)')
    expect(md.stdout).toContain('- + `file.managed /etc/issue.net`  sls base')
    // a built tree of HEAD against HEAD's working tree: nothing differs
    const out = join(tempDir('salt-dsl-diff-out-'), 'out')
    expect(dsl(['build', repo, '--out', out, '--no-typecheck']).status).toBe(0)
    const same = dsl(['diff', out, repo, '--machine', 'arch-laptop', '--no-typecheck'])
    expect(same.status, same.stdout + same.stderr).toBe(0)
    expect(same.stdout).toContain('machine arch-laptop: 0 added, 0 removed, 0 changed, 0 pillar key(s)')
  })
})
