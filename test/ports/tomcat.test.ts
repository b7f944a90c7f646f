// One ID with several modules (`tomcat: pkg.installed + service.running`, `<user>_user: group + user`),
// names and an ID from the pillar, and a when() config with watch_in into the service: Salt renders the
// port as the hand-written original on a machine with tomcat 9 (user tc, a server.xml) and one with 10.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BuiltPort, buildPort, comparePort, type Port } from '../support/port.ts'
import { SaltOracle } from '../support/salt.ts'

const PORT: Port = { name: 'tomcat', sls: ['tomcat', 'tomcat.webapps'] }
let oracle: SaltOracle
let built: BuiltPort

beforeAll(async () => {
  oracle = await SaltOracle.start()
  built = await buildPort(PORT)
})
afterAll(async () => {
  await oracle?.close()
})

type High = Record<string, Record<string, unknown[]>>
const modules = (state: Record<string, unknown>) =>
  Object.keys(state)
    .filter((k) => !k.startsWith('__'))
    .sort()

describe('tomcat port', () => {
  it('app-old (tomcat9, user tc, server.xml): the port renders as the original', async () => {
    const high = (await comparePort(oracle, PORT, built, 'app-old'))['state.show_highstate'] as High
    expect(Object.keys(high).sort()).toEqual(['tc_user', 'tomcat', 'tomcat-root-war', 'tomcat-server-xml'])
    expect(modules(high.tomcat!)).toEqual(['pkg', 'service'])
    expect(modules(high.tc_user!)).toEqual(['group', 'user'])
    expect(high.tomcat!.pkg).toContainEqual({ name: 'tomcat9' })
  })

  it('app-new (tomcat10, user tomcat): the port renders as the original', async () => {
    const high = (await comparePort(oracle, PORT, built, 'app-new'))['state.show_highstate'] as High
    expect(Object.keys(high).sort()).toEqual(['tomcat', 'tomcat-root-war', 'tomcat_user'])
    expect(high.tomcat!.service).toContainEqual({ name: 'tomcat10' })
  })
})
