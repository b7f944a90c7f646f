import { createHash } from 'node:crypto'
import type { FleetFile } from './fleet-inventory.ts'
import { type MasterTools, runMasterTool } from './salt-tools.ts'

/** The master's minion keys by state (salt-key's own lists). */
export interface KeyLists {
  readonly accepted: readonly string[]
  readonly pending: readonly string[]
  readonly rejected: readonly string[]
  readonly denied: readonly string[]
}

/** `salt-key --list=all`, or why the master's keys could not be read. */
export async function listKeys(t: MasterTools): Promise<KeyLists | { problem: string }> {
  const run = await runMasterTool(t, 'salt-key', ['--list=all'])
  const d = run.data as Record<string, string[]> | undefined
  if (run.code !== 0 || d === undefined || typeof d !== 'object')
    return {
      problem: `salt-key -c ${t.configDir} failed (exit ${run.code}): ${lastLine(run.stderr || run.stdout)}`,
    }
  return {
    accepted: d.minions ?? [],
    pending: d.minions_pre ?? [],
    rejected: d.minions_rejected ?? [],
    denied: d.minions_denied ?? [],
  }
}

/** What a key command did: its exit code and the lines to print (`notes` go to stderr whatever the code). */
export interface KeyOutcome {
  readonly code: number
  readonly lines: readonly string[]
  readonly notes?: readonly string[]
}

/**
 * The fingerprint of the master's copy of a minion's key in the given state, as the minion's own `salt-call
 * --local key.finger` computes it for its key (what bootstrap.sh --master prints): Salt's `pem_finger` of the
 * key file, the sha256 of the PEM's body. The key is read with `salt-key -p ID`; its fingerprint is not
 * `salt-key -f`'s, which in the pinned Salt hashes the whole PEM, armour lines included (saltstack/salt#69970),
 * and so never equals the minion's.
 */
export async function keyFinger(
  t: MasterTools,
  id: string,
  state: 'minions_pre' | 'minions',
): Promise<string | { problem: string }> {
  const run = await runMasterTool(t, 'salt-key', ['-p', id])
  const pem = (run.data as Record<string, Record<string, unknown>> | undefined)?.[state]?.[id]
  if (run.code !== 0 || typeof pem !== 'string' || !pem.includes('-----BEGIN'))
    return {
      problem: `salt-key -c ${t.configDir} -p ${id} gave no key (exit ${run.code}): ${lastLine(run.stderr || run.stdout)}`,
    }
  return pemFinger(pem)
}

/**
 * Salt's `salt.utils.crypt.pem_finger(path)` with its default hash (`hash_type: sha256`): the non-blank lines
 * between the first and the last, each with its newline, hashed; hex pairs joined by ':'.
 */
export function pemFinger(pem: string): string {
  const body = pem
    .split(/(?<=\n)/)
    .filter((line) => line.trim() !== '')
    .slice(1, -1)
    .join('')
    .replaceAll('\r\n', '\n')
  const hex = createHash('sha256').update(body, 'utf8').digest('hex')
  return (hex.match(/../g) ?? []).join(':')
}

// Salt prints lower-case hex pairs joined by ':'; a pasted one may differ in case or surrounding space
const sameFinger = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

/** Why a minion id may not be accepted: it is not a machine of the inventory (else undefined). */
export function notInInventory(fleet: FleetFile, id: string): string | undefined {
  if (fleet.machines.some((m) => m.id === id)) return undefined
  return (
    `'${id}' is not in the inventory: its key stays pending.\n` +
    `  hint: add it to inventory({ machines: { '${id}': { platform, environment, profile, via: 'master' } } })` +
    ' (or `dsl machine add`), build, then `dsl fleet accept ' +
    id +
    '`; or `dsl fleet reject ' +
    id +
    '` if it is not yours'
  )
}

/**
 * Accepts a pending key, only for a machine of the inventory reached via the master, and, given `expected`
 * (the fingerprint the machine itself showed), only when the pending key's fingerprint is that one: anyone who
 * reaches the master can leave a key pending under a known machine's name.
 */
export async function acceptKey(
  t: MasterTools,
  fleet: FleetFile,
  id: string,
  expected?: string,
): Promise<KeyOutcome> {
  const why = notInInventory(fleet, id)
  if (why !== undefined) return { code: 1, lines: [why] }
  const via = fleet.machines.find((m) => m.id === id)?.via
  if (via !== 'master')
    return {
      code: 1,
      lines: [
        `'${id}' is reached via '${via}', not the master: set via: 'master' in the inventory to accept its key`,
      ],
    }
  const keys = await listKeys(t)
  if ('problem' in keys) return { code: 2, lines: [keys.problem] }
  if (keys.accepted.includes(id)) return { code: 0, lines: [`${id}: already accepted`] }
  if (!keys.pending.includes(id)) {
    const where = keys.rejected.includes(id)
      ? 'rejected (`dsl fleet remove` it, then restart its minion)'
      : 'not there'
    return { code: 1, lines: [`${id}: no pending key (${where}); start its salt-minion against this master`] }
  }
  // the id is an inventory id (letters, digits, . _ -): salt-key reads it as a glob matching itself only
  const finger = await keyFinger(t, id, 'minions_pre')
  if (typeof finger !== 'string') return { code: 2, lines: [finger.problem] }
  if (expected !== undefined && !sameFinger(finger, expected))
    return {
      code: 1,
      lines: [
        `${id}: the pending key's fingerprint is ${finger}, not ${expected.trim()}: its key stays pending.\n` +
          "  hint: do not accept a key you cannot vouch for: it may be another machine's under this name. Compare" +
          ` \`salt-call --local key.finger\` on ${id} itself (bootstrap.sh --master prints it); if the pending key` +
          ` is not its, \`dsl fleet reject ${id}\` and start ${id}'s salt-minion again`,
      ],
    }
  const run = await runMasterTool(t, 'salt-key', ['-a', id, '-y'])
  const after = await listKeys(t)
  if (run.code !== 0 || 'problem' in after || !after.accepted.includes(id))
    return { code: 2, lines: [`${id}: salt-key did not accept it: ${lastLine(run.stderr || run.stdout)}`] }
  if (expected === undefined)
    return {
      code: 0,
      lines: [`${id}: key accepted`],
      notes: [
        `${id}: its key's fingerprint is ${finger}, not verified: compare \`salt-call --local key.finger\` on ${id}` +
          ` (bootstrap.sh --master prints it); next time give it: dsl fleet accept ${id} --fingerprint FP`,
      ],
    }
  return { code: 0, lines: [`${id}: key accepted (fingerprint ${finger}, as given)`] }
}

/** Rejects a key (pending or accepted) or removes it: `salt-key -r` / `-d`. */
export async function dropKey(t: MasterTools, id: string, how: 'reject' | 'remove'): Promise<KeyOutcome> {
  const keys = await listKeys(t)
  if ('problem' in keys) return { code: 2, lines: [keys.problem] }
  const known = [...keys.accepted, ...keys.pending, ...keys.rejected, ...keys.denied].includes(id)
  if (!known) return { code: 1, lines: [`${id}: the master has no key of that name`] }
  const args = how === 'reject' ? ['-r', id, '--include-accepted', '-y'] : ['-d', id, '-y']
  const run = await runMasterTool(t, 'salt-key', args)
  const after = await listKeys(t)
  const gone =
    !('problem' in after) &&
    !after.accepted.includes(id) &&
    !after.pending.includes(id) &&
    (how === 'reject' ? after.rejected.includes(id) : !after.rejected.includes(id))
  if (run.code !== 0 || !gone)
    return { code: 2, lines: [`${id}: salt-key did not ${how} it: ${lastLine(run.stderr)}`] }
  return { code: 0, lines: [`${id}: key ${how === 'reject' ? 'rejected' : 'removed'}`] }
}

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? ''
