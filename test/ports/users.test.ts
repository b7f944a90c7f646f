// The users formula's shape ported to TypeScript (forEach over the pillar's users, one ID with three
// modules, rendered IDs, requisites inside the loop and to a state outside it): Salt renders the port and
// the hand-written Jinja + YAML the same for a machine with users alice, bob and one with bob, carol.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BuiltPort, buildPort, comparePort, type Port } from '../support/port.ts'
import { SaltOracle } from '../support/salt.ts'

const PORT: Port = { name: 'users', sls: ['users'] }
let oracle: SaltOracle
let built: BuiltPort

beforeAll(async () => {
  oracle = await SaltOracle.start()
  built = await buildPort(PORT)
})
afterAll(async () => {
  await oracle?.close()
})

describe('users formula port', () => {
  it('users-one (alice, bob): the port renders as the original', async () => {
    const views = await comparePort(oracle, PORT, built, 'users-one')
    const high = views['state.show_highstate'] as Record<string, Record<string, unknown>>
    // the machine's own users, each under one ID with three modules; alice may sudo and has a key
    expect(Object.keys(high).sort()).toEqual([
      'alice_user',
      'bob_user',
      'ssh_auth_alice',
      'sudo',
      'sudoer-alice',
      'user_keydir_alice',
      'user_keydir_bob',
    ])
    expect(
      Object.keys(high.alice_user!)
        .filter((k) => !k.startsWith('__'))
        .sort(),
    ).toEqual(['file', 'group', 'user'])
  })

  it('users-two (bob, carol): the port renders as the original', async () => {
    const views = await comparePort(oracle, PORT, built, 'users-two')
    const high = views['state.show_highstate'] as Record<string, unknown>
    expect(Object.keys(high).sort()).toEqual([
      'bob_user',
      'carol_user',
      'ssh_auth_carol',
      'sudo',
      'sudoer-carol',
      'user_keydir_bob',
      'user_keydir_carol',
    ])
  })
})
