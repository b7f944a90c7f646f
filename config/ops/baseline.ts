// The security baseline: one Salt state per rule, each at its own line here (the dashboard and the alerts
// link a failed rule to it). A rule is reported, not enforced: what it looks at (sshd, the firewall,
// unattended upgrades, disk encryption) belongs to the machine's owner, and a baseline that rewrote
// sshd_config could lock them out. A rule whose subject is absent (no sshd, no apt) is not applicable.
//
// Salt runs each rule as `test.configurable_test_state`: skipped when its `unless` test passes, else it
// succeeds (a baseline finding must not fail the apply) with the comment `FAIL [severity] message`; the
// generation's result is the compliance report.
import { type SlsHandle, sls, state } from 'salt-dsl'

export type Severity = 'high' | 'medium' | 'low'

/** The arguments of one rule's state: `pass` (shell) must hold; `when` (shell) makes it applicable. */
function rule(id: string, severity: Severity, message: string, pass: string, when?: string) {
  return {
    id: `baseline: ${id}`,
    name: id,
    result: true,
    changes: false,
    comment: `FAIL [${severity}] ${message}`,
    unless: [pass],
    ...(when !== undefined ? { onlyif: [when] } : {}),
    order: 'last' as const,
  }
}

const SSHD = 'test -f /etc/ssh/sshd_config'
// sshd's own view of its config (includes and defaults resolved), else the file's first setting
const sshd = (key: string, value: string) =>
  `{ sshd -T 2>/dev/null || grep -hi '^[[:space:]]*${key}[[:space:]]' /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf 2>/dev/null; } | awk 'tolower($1)=="${key.toLowerCase()}" {print tolower($2); exit}' | grep -qx '${value}'`

/** The baseline's SLS (`compliance.baseline`); `homes` are the directories searched for world-writable files. */
export function securityBaseline(homes: readonly string[] = ['/home', '/root']): SlsHandle {
  const dirs = homes.map((h) => `'${h}'`).join(' ')
  return sls(
    'compliance.baseline',
    () => {
      state(
        'test.configurable_test_state',
        rule(
          'ssh_no_root_login',
          'high',
          'sshd allows root to log in (PermitRootLogin)',
          sshd('PermitRootLogin', 'no'),
          SSHD,
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
        ),
      )
      state(
        'test.configurable_test_state',
        rule(
          'firewall_enabled',
          'medium',
          'no firewall is active (ufw, firewalld or an nftables ruleset)',
          "ufw status 2>/dev/null | grep -q 'Status: active' || firewall-cmd --state 2>/dev/null | grep -q running || nft list ruleset 2>/dev/null | grep -q 'hook input'",
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
      doc: 'The security baseline: SSH hardening, firewall, automatic security updates, screen lock, disk encryption, no world-writable files in homes (reported; see dsl dashboard).',
    },
  )
}
