// The fleet benchmark's config: BENCH_MINIONS machines reached via the master, each with its own profile
// whose states write under BENCH_ROOT/<machine>/ (every minion runs on the one benchmark host, so each needs
// its own paths). BENCH_FILES managed files per machine, plus their directory.
import { file, inventory, profile, sls } from 'salt-dsl'

const count = Number(process.env.BENCH_MINIONS || 1)
const files = Number(process.env.BENCH_FILES || 20)
const root = process.env.BENCH_ROOT || '/tmp/salt-dsl-bench-fleet'
const publishRoot = process.env.BENCH_PUBLISH || '/tmp/salt-dsl-bench-fleet-publish'

const ids = Array.from({ length: count }, (_, i) => `bench-${i}`)
const machine = (id: string, i: number) => {
  const states = sls(`bench${i}`, () => {
    file(`${root}/${id}`, { ensure: 'directory', makedirs: true, id: `${id} dir` })
    for (let f = 0; f < files; f++)
      file(`${root}/${id}/file-${f}.conf`, { contents: `${id} file ${f}\n`, id: `${id} file ${f}` })
  })
  const spec = { platform: 'debian', environment: 'personal', via: 'master' } as const
  return [id, { ...spec, profile: profile(`bench${i}`, { sls: [states] }) }] as const
}
inventory({ machines: Object.fromEntries(ids.map(machine)), fleet: { publishRoot, operators: {} } })
