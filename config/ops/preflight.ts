// Pre-flight: checks that run before every other state of the highstate and stop the run when one fails.
import { grains, not, oneOf, type SlsHandle, sh, shellRaw, sls, state, text, when } from 'salt-dsl'
import { check } from './check.ts'
import { type Declared, diskSpaceTest, parentOf, shellPath } from './derive.ts'
import { opsPillar as p } from './schema.ts'

const pre = p.ops.preflight

/** First the pillar, then Salt, disk, write access, network, profile: `order` 1..6, each `failhard`. */
const step = (order: number) => ({ order, failhard: true })

/**
 * Jinja for `slsutil.renderer`: `True` when this Salt is at least `min` (dotted numbers), from the grain
 * `saltversioninfo` of the running Salt, compared as integer lists (3008.4 ≥ 3006, 3010 ≥ 3008.4).
 */
const VERSION_AT_LEAST =
  "{%- set want = (min | string).split('.') | map('int') | list -%}{{ grains['saltversioninfo'][:want | length] | list >= want }}"

/** The first URL the package manager is configured with (apt, pacman, dnf), reduced to scheme://host/. */
const SOURCE_URL =
  "cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources /etc/pacman.d/mirrorlist /etc/yum.repos.d/*.repo 2>/dev/null | grep -E '^[[:space:]]*(deb|URIs:|Server|baseurl|metalink)' | grep -oE '(https?|ftp)://[^/[:space:]]+' | head -n 1"

export function preflightSls(found: Declared, knownProfiles: readonly string[]): SlsHandle {
  return sls(
    'preflight',
    () => {
      state('test.check_pillar', {
        id: 'pre-flight: ops pillar',
        // presence only: Salt 3008's integer/string checks reject values the pillar holds as int/str
        present: [
          'ops:preflight:min_salt_version',
          'ops:preflight:min_disk_mb',
          'ops:preflight:disk_path',
          'ops:reports:dir',
          'ops:backups:dir',
        ],
        ...step(1),
      })
      check({
        id: 'pre-flight: Salt version',
        message: text`pre-flight: Salt ${grains.saltversion} is older than ops:preflight:min_salt_version ${pre.min_salt_version}`,
        // compared in the running Salt (its grains), not by a shell: a salt-call of its own costs ~0.6 s
        pass: [
          {
            fun: 'slsutil.renderer',
            kwargs: { string: VERSION_AT_LEAST, default_renderer: 'jinja|yaml', min: pre.min_salt_version },
          },
        ],
        ...step(2),
      })
      check({
        id: 'pre-flight: disk space',
        message: text`pre-flight: less than ${pre.min_disk_mb} MB free under ${pre.disk_path} (ops:preflight:min_disk_mb)`,
        pass: [diskSpaceTest(pre.disk_path, pre.min_disk_mb)],
        ...step(3),
      })
      const dirs = writableDirs(found)
      check({
        id: 'pre-flight: write permissions',
        message: text`pre-flight: cannot write to one of ${dirs.plain.join(', ')}, ${p.ops.reports.dir}, ${p.ops.backups.dir}`,
        pass: [
          sh`for d in ${dirs.words} ${p.ops.reports.dir} ${p.ops.backups.dir}; do while [ ! -e "$d" ]; do d=$(dirname -- "$d"); done; test -w "$d" || exit 1; done`,
        ],
        ...step(4),
      })
      when(pre.check_network, () => {
        check({
          id: 'pre-flight: package source reachable',
          message: text`pre-flight: the package source does not answer within ${pre.network_timeout_s} s (ops:preflight:package_source_url, or ops:preflight:check_network false when offline)`,
          // a success is kept for network_ttl_min minutes in a stamp holding the URL: a changed URL, an
          // older stamp or a TTL of 0 asks the source again, and a failure never writes the stamp
          pass: [
            sh`url=${pre.package_source_url}; [ -n "$url" ] || url=$(${shellRaw(SOURCE_URL)}); [ -z "$url" ] && exit 0; stamp=${p.ops.reports.dir}/.cache/package-source; ttl=${pre.network_ttl_min}; if [ "$ttl" -gt 0 ] && [ -n "$(find "$stamp" -mmin "-$ttl" 2>/dev/null)" ] && [ "$(cat -- "$stamp")" = "$url" ]; then exit 0; fi; { curl -gsS -o /dev/null --max-time ${pre.network_timeout_s} -- "$url" 2>/dev/null || wget -q --spider -T ${pre.network_timeout_s} -- "$url"; } || exit 1; (umask 027; mkdir -p -- "$(dirname -- "$stamp")") 2>/dev/null && printf '%s' "$url" > "$stamp" 2>/dev/null; exit 0`,
          ],
          ...step(5),
        })
      })
      if (knownProfiles.length > 0) profileCheck(knownProfiles)
    },
    { doc: 'Pre-flight checks: run first (order 1-6), and failhard stops the run at the first that fails.' },
  )
}

function profileCheck(known: readonly string[]): void {
  when(oneOf(p.profile, known), () => {
    state('test.succeed_without_changes', {
      id: 'pre-flight: profile',
      name: text`profile ${p.profile}`,
      ...step(6),
    })
  })
  when(not(oneOf(p.profile, known)), () => {
    check({
      id: 'pre-flight: unknown profile',
      message: text`pre-flight: the pillar's profile '${p.profile}' is not one of ${known.join(', ')}`,
      pass: [],
      ...step(6),
    })
  })
}

/** Directories the config writes into (homes of dotfiles, parents of absolute paths), once each. */
function writableDirs(found: Declared): { words: unknown[]; plain: string[] } {
  const paths = [...found.files, ...found.symlinks, ...found.directories]
    .map((t) => t.name)
    .filter((n): n is string => typeof n === 'string')
    .map((n) => (n.startsWith('~') ? n.split('/')[0]! : parentOf(n)))
  const plain = [...new Set(paths)].sort()
  return { words: plain.map(shellPath), plain }
}
