// Maintenance: upgrades (when packages:auto_update), cleanup of temp files and old backups, config backups.
import { cmd, not, type SlsHandle, sh, sls, state, when } from 'salt-dsl'
import { type Declared, shellPath } from './derive.ts'
import { opsPillar as p } from './schema.ts'

export function maintenanceSls(found: Declared): Record<'updates' | 'cleanup' | 'backup' | 'all', SlsHandle> {
  const backup = sls('maintenance.backup', () => {
    const files = [...found.files, ...found.symlinks]
      .map((t) => t.name)
      .filter((n): n is string => typeof n === 'string')
    const words = [...new Set(files)].sort().map(shellPath)
    // stateful: reports a change only when an archive was written
    cmd(
      sh`dir=${p.ops.backups.dir}; set --; for f in ${words}; do if [ -e "$f" ] || [ -L "$f" ]; then set -- "$@" "$f"; fi; done; if [ $# -eq 0 ]; then echo "changed=no comment='no managed config to back up'"; exit 0; fi; mkdir -p -- "$dir" && chmod 0700 -- "$dir" && a="$dir/configs-$(date -u +%Y%m%dT%H%M%SZ).tar.gz" && tar -czPf "$a" "$@" && printf '%s\\n' "$a" && echo "changed=yes comment='backed up $# files (the archive: stdout)'"`,
      { id: 'maintenance: back up managed configs', stateful: true },
    )
  })
  const updates = sls('maintenance.updates', () => {
    when(p.packages.auto_update, () => {
      state('pkg.uptodate', { id: 'maintenance: upgrade packages', name: 'upgrade packages', refresh: true })
    })
    when(not(p.packages.auto_update), () => {
      state('test.succeed_without_changes', {
        id: 'maintenance: upgrades are off',
        name: 'packages:auto_update is false',
      })
    })
  })
  const cleanup = sls('maintenance.cleanup', () => {
    const onlyIfDir = (dir: unknown) => ({ onlyif: sh`test -d ${dir}` })
    state('file.tidied', {
      id: 'maintenance: old temp files',
      name: p.ops.cleanup.tmp_dir,
      age: p.ops.cleanup.tmp_age_days,
      time_comparison: 'mtime',
      age_size_only: 'age',
      rmdirs: true,
      ...onlyIfDir(p.ops.cleanup.tmp_dir),
    })
    state('file.tidied', {
      id: 'maintenance: old config backups',
      name: p.ops.backups.dir,
      age: p.ops.backups.keep_days,
      matches: ['^configs-.*\\.tar\\.gz$'],
      time_comparison: 'mtime',
      age_size_only: 'age',
      ...onlyIfDir(p.ops.backups.dir),
    })
  })
  const all = sls('maintenance', () => {}, {
    doc: 'Maintenance, on demand or from cron (not in the highstate: it changes the machine on every run).',
    include: [backup, updates, cleanup],
  })
  return { updates, cleanup, backup, all }
}
