// Five machines via the master, one per platform (debian, ubuntu, fedora, arch, macos), of three profiles,
// for the five-minion fleet test. Each minion runs on this host with its platform's grains set in its
// minion config, so each writes under its own dir (FLEET_ROOT/<minion id>) and what it writes depends on
// its profile and on its platform (byPlatform, rendered by Salt from the minion's grains): no two
// highstates are the same. Only files and a shell loop: harmless whatever grains the minion claims.
import { byPlatform, cmd, file, grains, inventory, profile, sh, sls, text } from 'salt-dsl'

const root = process.env.FLEET_ROOT || '/tmp/salt-dsl-fleet-five'
const publishRoot = process.env.FLEET_PUBLISH || '/srv/salt-dsl'
const own = text`${root}/${grains.id}`

export const base = sls('base', () => {
  file(text`${own}/platform.txt`, {
    contents: byPlatform({
      debian: 'debian bookworm\n',
      ubuntu: 'ubuntu noble\n',
      fedora: 'fedora 40\n',
      arch: 'arch rolling\n',
      macos: 'macos sonoma\n',
    }),
    makedirs: true,
    id: 'platform marker',
  })
})

export const desk = sls('desk', () => {
  file(text`${own}/desk.txt`, {
    contents: byPlatform({
      os_family: { Debian: 'apt desk\n', MacOS: 'brew desk\n' },
      default: 'other desk\n',
    }),
    makedirs: true,
    id: 'desk marker',
  })
})

export const build = sls('build', () => {
  file(text`${own}/build.txt`, {
    contents: byPlatform({
      os_family: { Debian: 'deb builder\n', RedHat: 'rpm builder\n' },
      default: 'builder\n',
    }),
    makedirs: true,
    id: 'build marker',
  })
  file(text`${own}/cache`, { ensure: 'directory', makedirs: true, id: 'build cache dir' })
})

// a machine's run held on purpose: while `<own>/hold` exists the step waits (at most 10 minutes) for
// `<own>/release`, so the test can stop this minion while its job runs; without `hold` it does not run
export const server = sls('server', () => {
  cmd(
    sh`touch ${own}/held; i=0; while [ ! -f ${own}/release ] && [ $i -lt 600 ]; do sleep 1; i=$((i+1)); done`,
    { id: 'server held step', onlyif: sh`test -f ${own}/hold`, order: 'first' },
  )
  file(text`${own}/server.txt`, {
    contents: byPlatform({ arch: 'pacman server\n', default: 'server\n' }),
    makedirs: true,
    id: 'server marker',
  })
})

const deskProfile = profile('desk', { sls: [base, desk] })
const buildProfile = profile('build', { sls: [base, build] })
const serverProfile = profile('server', { sls: [base, server] })
const machine = (platform: 'debian' | 'ubuntu' | 'fedora' | 'arch' | 'macos', p: typeof deskProfile) =>
  ({ platform, environment: 'personal', profile: p, via: 'master' }) as const

inventory({
  machines: {
    'five-debian': machine('debian', buildProfile),
    'five-ubuntu': machine('ubuntu', deskProfile),
    'five-fedora': machine('fedora', buildProfile),
    'five-arch': machine('arch', serverProfile),
    'five-macos': machine('macos', deskProfile),
  },
  fleet: { publishRoot },
})
