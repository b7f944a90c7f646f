// Pillar values reach shell commands (the ops' checks, maintenance, the user's env.sh) only as quoted
// words: adversarial values run nothing, under test=True or for real, and arrive as they were written.
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runs, throwawayUser } from '../support/apply.ts'
import { tempDir } from '../support/cli.ts'
import { type MinionSpec, SaltOracle } from '../support/salt.ts'
import { buildConfig } from './build.ts'

/** Every way a value could turn into shell syntax, each trying to create `x`. */
function payloads(x: string): string[] {
  return [
    `$(touch ${x})`,
    `\`touch ${x}\``,
    `'; touch ${x}; '`,
    `"; touch ${x}; "`,
    `\\"; touch ${x}; \\`,
    `\ntouch ${x}\n`,
    `-n; touch ${x}`,
  ]
}

describe('config/: adversarial pillar values in every command the bundled config builds', () => {
  let oracle: SaltOracle
  let user: ReturnType<typeof throwawayUser>
  let spec: MinionSpec
  let server: Server
  const requested: string[] = []
  // world-writable, so that an injected `touch` would succeed as root or as the user
  const base = tempDir('salt-dsl-injection-')
  chmodSync(base, 0o1777)
  const x = join(base, 'X')
  const evil = payloads(x).join(' ')
  const oneLine = evil.replace(/\n/g, ' ')
  // a real directory whose name holds every payload (slashes make it a chain of directories)
  const dir = join(base, `d ${evil}`)
  mkdirSync(dir, { recursive: true })
  let pillar: Record<string, unknown>

  beforeAll(async () => {
    server = createServer((req, res) => {
      requested.push(req.url ?? '')
      res.end('ok')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    oracle = await SaltOracle.start()
    user = throwawayUser()
    spec = buildConfig(user.name).spec('debian-ci')
    pillar = {
      ops: {
        preflight: {
          // sorts before Salt's version, so the check passes only if compared as written
          min_salt_version: `0 ${oneLine}`,
          min_disk_mb: `0${oneLine}`,
          disk_path: dir,
          // curl takes no space or newline in a URL: the payloads with ${IFS} instead
          package_source_url: `${url}?q=$(touch\${IFS}${x})\`touch\${IFS}${x}\`';"\\`,
          network_timeout_s: 5,
        },
        reports: { dir: join(dir, 'reports') },
        backups: { dir: join(dir, 'backups') },
        cleanup: { tmp_dir: join(dir, 'tmp') },
      },
      accounts: { [user.name]: { editor: evil } },
      dotfiles: { shell: { aliases: { evil }, path_prepend: [join(dir, 'bin'), '$HOME/bin'] } },
    }
  })
  afterAll(async () => {
    user?.remove()
    await oracle?.close()
    server?.close()
  })

  const apply = (mods: string[], test: boolean) =>
    oracle.call(spec, 'state.apply', mods, { pillar, ...(test ? { test: true } : {}) })
  const failedIds = (data: unknown) =>
    runs(data)
      .filter((r) => r.result === false)
      .map((r) => `${r.__id__}: ${r.comment.split('\n')[0]}`)

  it('test=True, the highstate and maintenance run nothing from a value, and the values arrive intact', async () => {
    // WHEN the highstate is previewed, then applied
    const preview = await apply([], true)
    expect(existsSync(x), 'a value ran under test=True').toBe(false)
    expect(failedIds(preview.data)).toEqual([])
    const applied = await apply([], false)

    // THEN nothing ran, and every check passed with the values as written
    expect(existsSync(x), 'a value ran in the apply').toBe(false)
    expect(failedIds(applied.data)).toEqual([])
    const ids = runs(applied.data).map((r) => r.__id__)
    expect(ids).toContain('pre-flight: package source reachable')
    expect(decodeURIComponent(requested.at(-1) ?? '')).toBe(
      `/?q=$(touch\${IFS}${x})\`touch\${IFS}${x}\`';"\\`,
    )
    // AND the reports went to the directory named by the pillar, byte for byte
    expect(existsSync(join(dir, 'reports', 'inventory.json'))).toBe(true)

    // AND the user's shell reads the editor, the alias and the PATH entry as data
    const env = '~/.config/salt-dsl/shell/env.sh'
    for (const shell of ['sh', 'bash']) {
      const asUser = (script: string) =>
        execFileSync('su', ['-s', '/bin/sh', user.name, '-c', `${shell} -c '. ${env}; ${script}'`], {
          encoding: 'utf8',
        })
      expect(asUser('printf %s "$EDITOR"')).toBe(evil)
      expect(asUser('printf %s "$PATH"').split(':')).toContain(join(dir, 'bin'))
      expect(asUser('printf %s "$PATH"').split(':')).toContain(`${user.home}/bin`)
      expect(asUser('alias evil')).toContain('touch')
    }
    expect(existsSync(x)).toBe(false)

    // WHEN maintenance runs (backups and cleanup of the directories the pillar names)
    const maintenance = await apply(['maintenance'], false)
    expect(failedIds(maintenance.data)).toEqual([])
    // THEN nothing ran either, and the archive is in the directory named by the pillar
    expect(existsSync(x)).toBe(false)
    expect(readdirSync(join(dir, 'backups')).some((f) => /^configs-.*\.tar\.gz$/.test(f))).toBe(true)
  })
})
