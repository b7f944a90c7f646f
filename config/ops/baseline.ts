// The security baseline: one Salt state per rule, each at its own line here (the dashboard, the alerts and
// `dsl compliance` link a rule to it). By default a rule is reported, not enforced: what it looks at
// (sshd, the firewall, unattended upgrades, disk encryption) belongs to the machine's owner, and a baseline
// that rewrote sshd_config unasked could lock them out. `enforce` opts in, rule family by rule family, where
// that can be done safely (see BaselineOptions); the rule then checks what the enforcing state made.
// A rule whose subject is absent (no sshd, no apt) is not applicable.
//
// Salt runs each rule as `test.configurable_test_state`: skipped when its `unless` test passes, else it
// succeeds (a baseline finding must not fail the apply) with the comment `FAIL [severity] message`; its
// name carries the severity (`ssh_no_root_login [high]`) so that a passing rule has one too. The
// generation's result is the compliance report.
import { cmd, file, type SlsHandle, type StateHandle, sls, state } from 'salt-dsl'

export type Severity = 'high' | 'medium' | 'low'

/** What `securityBaseline` enforces besides reporting, and where (tests enforce into a temporary root). */
export interface BaselineOptions {
  readonly enforce?: {
    /**
     * An sshd_config drop-in (`sshd_config.d/00-salt-dsl-baseline-*.conf`), only where sshd_config exists:
     * `PermitRootLogin no`; and `PasswordAuthentication no` only once some home under `homes` has a
     * non-empty `.ssh/authorized_keys` (else its users would have no way in). sshd is checked (`sshd -t`)
     * and reloaded if it runs. The drop-ins take effect where sshd_config includes `sshd_config.d/*.conf`
     * before its own settings (Debian 12, Ubuntu 22.04 and later).
     */
    readonly ssh?: boolean
    /**
     * ufw, only where ufw is installed and no firewall is active yet: the ports sshd listens on (22 by
     * default) are allowed first, then ufw is enabled (incoming denied, outgoing allowed).
     */
    readonly firewall?: boolean
  }
  /** The file system root the SSH rules read and write (default `/`); sshd is not reloaded elsewhere. */
  readonly root?: string
}

/** The arguments of one rule's state: `pass` (shell) must hold; `when` (shell) makes it applicable. */
function rule(
  id: string,
  severity: Severity,
  message: string,
  pass: string,
  when?: string,
  after?: StateHandle[],
) {
  return {
    id: `baseline: ${id}`,
    name: `${id} [${severity}]`,
    result: true,
    changes: false,
    comment: `FAIL [${severity}] ${message}`,
    unless: [pass],
    ...(when !== undefined ? { onlyif: [when] } : {}),
    ...(after !== undefined && after.length > 0 ? { require: after } : {}),
    order: 'last' as const,
  }
}

/** The baseline's SLS (`compliance.baseline`); `homes` are the directories searched for world-writable files. */
export function securityBaseline(
  homes: readonly string[] = ['/home', '/root'],
  options: BaselineOptions = {},
): SlsHandle {
  const dirs = homes.map((h) => `'${h}'`).join(' ')
  const root = (options.root ?? '/').replace(/\/+$/, '')
  const etc = `${root}/etc/ssh`
  const config = `${etc}/sshd_config`
  const SSHD = `test -f '${config}'`
  // sshd's own view of its config (includes and defaults resolved), else the first setting of the files,
  // the drop-ins first (where sshd_config includes them: at its top on Debian and Ubuntu)
  const sshd = (key: string, value: string) =>
    `{ sshd -T -f '${config}' 2>/dev/null || grep -hi '^[[:space:]]*${key}[[:space:]]' ${etc}/sshd_config.d/*.conf '${config}' 2>/dev/null; } | awk 'tolower($1)=="${key.toLowerCase()}" {print tolower($2); exit}' | grep -qx '${value}'`
  const firewallUp =
    "ufw status 2>/dev/null | grep -q 'Status: active' || firewall-cmd --state 2>/dev/null | grep -q running || nft list ruleset 2>/dev/null | grep -q 'hook input'"
  return sls(
    'compliance.baseline',
    () => {
      // enforced first; each rule then checks what its enforcing states made
      const ssh = options.enforce?.ssh === true ? sshHardening(etc, SSHD, dirs, root === '') : []
      const firewall = options.enforce?.firewall === true ? [ufwEnabled(firewallUp)] : []
      state(
        'test.configurable_test_state',
        rule(
          'ssh_no_root_login',
          'high',
          'sshd allows root to log in (PermitRootLogin)',
          sshd('PermitRootLogin', 'no'),
          SSHD,
          ssh,
        ),
      )
      state(
        'test.configurable_test_state',
        rule(
          'ssh_no_password_auth',
          'high',
          'sshd accepts passwords (PasswordAuthentication)',
          sshd('PasswordAuthentication', 'no'),
          SSHD,
          ssh,
        ),
      )
      state(
        'test.configurable_test_state',
        rule(
          'firewall_enabled',
          'medium',
          'no firewall is active (ufw, firewalld or an nftables ruleset)',
          firewallUp,
          undefined,
          firewall,
        ),
      )
      state(
        'test.configurable_test_state',
        rule(
          'automatic_security_updates',
          'medium',
          'unattended security upgrades are off',
          `apt-config dump 2>/dev/null | grep -q 'APT::Periodic::Unattended-Upgrade "1"'`,
          'command -v apt-get',
        ),
      )
      state(
        'test.configurable_test_state',
        rule(
          'screen_lock_timeout',
          'low',
          'idle shells do not time out (TMOUT in /etc/profile.d)',
          'grep -qs TMOUT /etc/profile.d/salt-dsl-compliance.sh',
        ),
      )
      state(
        'test.configurable_test_state',
        rule(
          'disk_encryption',
          'medium',
          'no encrypted block device (dm-crypt) is in use',
          'lsblk -rno TYPE 2>/dev/null | grep -qx crypt',
          'command -v lsblk',
        ),
      )
      state(
        'test.configurable_test_state',
        rule(
          'no_world_writable_in_homes',
          'high',
          `world-writable files under ${homes.join(', ')}`,
          `test -z "$(find ${dirs} -xdev -perm -0002 ! -type l 2>/dev/null | head -n 1)"`,
        ),
      )
    },
    {
      doc:
        options.enforce?.ssh || options.enforce?.firewall
          ? `The security baseline: SSH hardening, firewall, automatic security updates, screen lock, disk encryption, no world-writable files in homes (enforced: ${[options.enforce.ssh ? 'SSH' : '', options.enforce.firewall ? 'firewall' : ''].filter(Boolean).join(', ')}; the rest reported, see dsl compliance).`
          : 'The security baseline: SSH hardening, firewall, automatic security updates, screen lock, disk encryption, no world-writable files in homes (reported; see dsl dashboard).',
    },
  )
}

/** The sshd drop-ins (and sshd's check and reload when they change, on the real root only). */
function sshHardening(etc: string, present: string, homes: string, realRoot: boolean): StateHandle[] {
  const dropin = (line: string, onlyif: string[]) => ({
    contents: `# salt-dsl security baseline (config/ops/baseline.ts)\n${line}\n`,
    mode: '0644',
    makedirs: true,
    onlyif,
  })
  const keys = `find ${homes} -maxdepth 3 -path '*/.ssh/authorized_keys' -size +0c 2>/dev/null | grep -q .`
  const made = [
    file(
      `${etc}/sshd_config.d/00-salt-dsl-baseline-root-login.conf`,
      dropin('PermitRootLogin no', [present]),
    ),
    file(
      `${etc}/sshd_config.d/00-salt-dsl-baseline-password-auth.conf`,
      dropin('PasswordAuthentication no', [present, keys]),
    ),
  ]
  if (!realRoot) return made
  // a drop-in sshd refuses fails here, before sshd is reloaded with it
  const reload = cmd(
    'sshd -t && { systemctl try-reload-or-restart ssh.service sshd.service 2>/dev/null || true; }',
    { id: 'baseline: sshd reloaded', onchanges: made, onlyif: ['command -v sshd'] },
  )
  return [...made, reload]
}

/** ufw enabled with sshd's ports allowed first, where ufw is installed and no firewall is up. */
function ufwEnabled(firewallUp: string): StateHandle {
  return cmd(
    `ports=$(sshd -T 2>/dev/null | awk '$1=="port" {print $2}'); for p in \${ports:-22}; do ufw allow "$p/tcp" || exit 1; done; ufw --force enable`,
    { id: 'baseline: ufw enabled', onlyif: ['command -v ufw'], unless: [firewallUp] },
  )
}
