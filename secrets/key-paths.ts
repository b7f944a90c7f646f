import { homedir } from 'node:os'
import { join } from 'node:path'

/** The operator's own keyring (`dsl secrets init`): outside the project, never committed. */
export function operatorHome(env = process.env): string {
  return (
    env.DSL_SECRETS_GNUPGHOME ?? join(env.XDG_DATA_HOME ?? join(homedir(), '.local/share'), 'salt-dsl/gnupg')
  )
}

/**
 * Where a machine's private key lives: the directory Salt's gpg renderer reads (`gpg_keydir`), which the
 * masterless minion config `dsl plan`/`dsl apply` write points at. Salt's own default is /etc/salt/gpgkeys.
 */
export function machineKeydir(env = process.env): string {
  return env.DSL_GPG_KEYDIR ?? '/etc/salt/gpgkeys'
}

/** The project's public keys: `secrets/operator.asc` and `secrets/keys/<machine>.asc` at its root (`root`). */
export function projectKeys(root: string, env = process.env) {
  // DSL_SECRETS_DIR: the public keys kept elsewhere (a CI checkout, the tests)
  const dir = env.DSL_SECRETS_DIR ?? join(root, 'secrets')
  return {
    dir,
    operator: join(dir, 'operator.asc'),
    machine: (id: string) => join(dir, 'keys', `${id}.asc`),
  }
}

export const OPERATOR_UID = 'salt-dsl operator'
export const machineUid = (id: string) => `salt-dsl machine ${id}`
