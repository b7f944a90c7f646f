import { relative } from 'node:path'
import { emitYaml, type YamlNode } from '../compiler/emit/yaml.ts'
import type { InventoryNode, MachineNode, Value } from '../dsl/ir.ts'

/** Which machine joins which master (`dsl fleet minion-config`, run by `bootstrap.sh --master`). */
export interface JoinRequest {
  readonly id: string
  /** The platform this machine is (bootstrap.sh detects it; Salt's core grains say the same on the machine). */
  readonly platform: string
  readonly master: string
  readonly masterPort?: number
  /** Salt's `root_dir` (tests keep the minion under a temp dir; absent: Salt's own `/`). */
  readonly rootDir?: string
  /** For a machine the inventory lacks: the `dsl:` grains its onboarding matches on. */
  readonly profile?: string
  readonly environment?: string
  readonly users?: readonly string[]
  /** Minion options this host needs (`disable_modules` where Salt's systemd module would run offline). */
  readonly options?: Readonly<Record<string, YamlNode>>
}

/** The minion settings and what to tell the person bootstrapping; `known`: the inventory has the machine. */
export interface MinionJoin {
  readonly text: string
  readonly known: boolean
  readonly summary: string
}

/**
 * The salt-minion settings that make machine `r.id` a minion of the master with the grains the compiler
 * assumes for it: the `dsl:` grain (environment, profile, users) and the inventory's own grains. The
 * platform's identity grains (`os`, `os_family`, `kernel`) stay Salt's core grains: the machine's platform
 * must be the inventory's, or its pillar and SLS would be picked for another system. A machine the
 * inventory lacks gets the onboarding's grains (the flags, else `onboarding`): its key stays pending until
 * it is added, so nothing is applied to it meanwhile.
 */
export function minionJoin(inv: InventoryNode | undefined, r: JoinRequest): MinionJoin | { problem: string } {
  const m = inv?.machines.find((x) => x.id === r.id)
  if (m !== undefined) {
    const wrong = mismatch(m, r)
    if (wrong !== undefined) return { problem: wrong }
  }
  const dsl =
    m !== undefined
      ? { environment: m.environment, profile: m.profile, users: [...m.users] }
      : {
          ...optional('environment', r.environment ?? inv?.onboarding.environment),
          ...optional('profile', r.profile ?? inv?.onboarding.profile),
          ...(r.users !== undefined && r.users.length > 0 ? { users: [...r.users] } : {}),
        }
  const grains: Record<string, YamlNode> = { ...((m?.grains ?? {}) as Record<string, Value & YamlNode>) }
  if (Object.keys(dsl).length > 0) grains.dsl = dsl
  const doc: Record<string, YamlNode> = {
    id: r.id,
    master: r.master,
    ...(r.masterPort !== undefined ? { master_port: r.masterPort } : {}),
    ...(r.rootDir !== undefined ? { root_dir: r.rootDir } : {}),
    ...(Object.keys(grains).length > 0 ? { grains } : {}),
    ...r.options,
  }
  const head =
    m !== undefined
      ? `# salt-minion settings of machine '${r.id}' (${m.platform}, environment ${m.environment}, profile ${m.profile}), from the inventory.`
      : `# salt-minion settings of '${r.id}', which the inventory lacks: the onboarding's grains.`
  const text = `${head}\n# Written by salt-dsl (dsl fleet minion-config); a later run rewrites it.\n${emitYaml(doc, { jinja: false })}`
  const summary =
    m !== undefined
      ? `'${r.id}' is in the inventory (${m.platform}, environment ${m.environment}, profile ${m.profile})`
      : `'${r.id}' is not in the inventory: its key will stay pending until it is added`
  return { text, known: m !== undefined, summary }
}

const optional = (key: string, value: string | undefined) => (value === undefined ? {} : { [key]: value })

/** Why the inventory's machine cannot join as asked: reached otherwise, another platform, other flags. */
function mismatch(m: MachineNode, r: JoinRequest): string | undefined {
  const at = `${relative(process.cwd(), m.origin.file)}:${m.origin.line}`
  if ((m.via ?? 'local') !== 'master')
    return `'${m.id}' is reached via '${m.via ?? 'local'}' in the inventory (${at}): set via: 'master' there (and push it) to register it with a master`
  if (m.platform !== r.platform)
    return `the inventory says '${m.id}' is ${m.platform} (${at}), this machine is ${r.platform}: fix the inventory, or pick another machine id`
  for (const [flag, want, given] of [
    ['--profile', m.profile, r.profile],
    ['--environment', m.environment, r.environment],
  ] as const)
    if (given !== undefined && given !== want)
      return `the inventory gives '${m.id}' ${flag.slice(2)} ${want} (${at}), not ${given}: the inventory decides; drop ${flag} or change the inventory`
  return undefined
}
