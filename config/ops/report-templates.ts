// Jinja templates of the JSON reports, rendered by Salt's file.managed on the machine at apply time.

/** Expands `~user/...` with the account's home (Salt's file functions want absolute paths). */
const EXPAND = `{%- macro expand(path) -%}
{%- if path.startswith('~') -%}
{%- set user = path[1:].split('/')[0] -%}
{{ salt['user.info'](user).get('home', '~' ~ user) }}{{ path[1 + user | length:] }}
{%- else -%}{{ path }}{%- endif -%}
{%- endmacro -%}`

const PACKAGES = `{%- set installed = salt['pkg.list_pkgs']() -%}
{%- set declared = [] -%}
{%- for p in packages -%}
{%- for name in p.names or [] if name -%}
{%- do declared.append({'name': name, 'state': p.state, 'conditional': p.conditional, 'installed': name in installed, 'version': installed.get(name)}) -%}
{%- endfor -%}
{%- endfor -%}`

const FILES = `${EXPAND}
{%- set files = [] -%}
{%- for f in managed -%}
{%- set path = expand(f.path) -%}
{%- set link = salt['file.is_link'](path) -%}
{%- set exists = link or salt['file.file_exists'](path) or salt['file.directory_exists'](path) -%}
{%- set st = salt['file.stats'](path, none, false) if exists else {} -%}
{%- set actual = salt['file.readlink'](path) if link else none -%}
{%- set ok = exists and (f.kind != 'symlink' or actual == f.target) and (f.kind != 'directory' or st.get('type') == 'dir') and (f.kind != 'file' or st.get('type') == 'file') -%}
{%- do files.append({'path': path, 'kind': f.kind, 'state': f.state, 'conditional': f.conditional, 'exists': exists, 'type': st.get('type'), 'mode': st.get('mode'), 'user': st.get('user'), 'group': st.get('group'), 'size': st.get('size'), 'link_target': actual, 'expected_target': f.target, 'ok': ok}) -%}
{%- endfor -%}`

const SERVICES = `{%- set svcs = [] -%}
{%- for s in services -%}
{%- do svcs.append({'name': s.name, 'state': s.state, 'conditional': s.conditional, 'running': salt['service.status'](s.name), 'enabled': salt['service.enabled'](s.name)}) -%}
{%- endfor -%}`

const HEADER = `'minion': grains['id'], 'os': grains['os'], 'osrelease': grains['osrelease'], 'salt': grains['saltversion'], 'profile': profile`

/**
 * `updates`: the package manager's available upgrades (`pkg.list_upgrades`, seconds on apt), reused from
 * `reports_dir/.cache/available-updates.json` while that is younger than `updates_ttl` minutes; a real run
 * (not test=True) refreshes the cache. A TTL of 0 asks every run.
 * `apt_upgrade`: on apt, the `Inst` lines of `apt-get -s upgrade` (cached beside it), which name each
 * candidate's origins: salt-dsl tells security updates (a `-security` origin) from them.
 */
const AVAILABLE_UPDATES = `{%- set cache_dir = reports_dir ~ '/.cache' -%}
{%- set fresh = updates_ttl | int > 0 and salt['file.find'](cache_dir, name='available-updates.json', type='f', maxdepth=1, mtime='-' ~ (updates_ttl | int) ~ 'm') -%}
{%- set apt = salt['cmd.has_exec']('apt-get') -%}
{%- if fresh -%}
{%- set updates = salt['file.read'](cache_dir ~ '/available-updates.json') | load_json -%}
{%- set apt_upgrade = (salt['file.read'](cache_dir ~ '/apt-upgrade.json') | load_json) if apt and salt['file.file_exists'](cache_dir ~ '/apt-upgrade.json') else [] -%}
{%- else -%}
{%- set updates = salt['pkg.list_upgrades'](refresh=false) -%}
{%- set apt_upgrade = salt['cmd.run']('apt-get -s -o Debug::NoLocking=1 upgrade', python_shell=false, env={'LC_ALL': 'C'}, ignore_retcode=true, output_loglevel='quiet').splitlines() | select('match', 'Inst ') | list if apt else [] -%}
{%- if not opts['test'] and updates_ttl | int > 0 -%}
{%- do salt['file.mkdir'](cache_dir, mode='0750') -%}
{%- do salt['file.write'](cache_dir ~ '/available-updates.json', updates | tojson) -%}
{%- do salt['file.write'](cache_dir ~ '/apt-upgrade.json', apt_upgrade | tojson) -%}
{%- endif -%}
{%- endif -%}`

/** Installed packages and versions, and the declared ones. */
export const INVENTORY = `${PACKAGES}
{{ {'report': 'inventory', ${HEADER}, 'declared_packages': declared, 'installed_packages': installed} | tojson(indent=2, sort_keys=true) }}
`

/** Managed files, services, available updates. */
export const STATUS = `${FILES}
${SERVICES}
${AVAILABLE_UPDATES}
{{ {'report': 'status', ${HEADER}, 'managed_files': files, 'services': svcs, 'available_updates': updates, 'apt_upgrade': apt_upgrade} | tojson(indent=2, sort_keys=true) }}
`

/** The compliance checks of the profiles in `ops:compliance:profiles` (the work profile by default). */
export const COMPLIANCE = `${PACKAGES}
${FILES}
${SERVICES}
{%- set missing = declared | rejectattr('conditional') | rejectattr('installed') | map(attribute='name') | list -%}
{%- set req_missing = required | reject('in', installed) | list -%}
{%- set bad_files = files | rejectattr('conditional') | rejectattr('ok') | map(attribute='path') | list -%}
{%- set writable = [] -%}
{%- for f in files if f.mode and f.type != 'link' and f.mode[-1] in '2367' -%}{%- do writable.append(f.path) -%}{%- endfor -%}
{%- set stopped = svcs | rejectattr('conditional') | rejectattr('running') | map(attribute='name') | list -%}
{%- set checks = [
  {'id': 'declared_packages_installed', 'passed': not missing, 'detail': missing},
  {'id': 'required_packages_installed', 'passed': not req_missing, 'detail': req_missing},
  {'id': 'managed_files_in_place', 'passed': not bad_files, 'detail': bad_files},
  {'id': 'managed_files_not_world_writable', 'passed': not writable, 'detail': writable},
  {'id': 'services_running', 'passed': not stopped, 'detail': stopped},
  {'id': 'config_backups_enabled', 'passed': backups_enabled is sameas true, 'detail': backups_enabled},
  {'id': 'automatic_updates_enabled', 'passed': auto_update is sameas true, 'detail': auto_update},
] -%}
{%- set applies = profile in profiles -%}
{{ {'report': 'compliance', ${HEADER}, 'applies': applies, 'profiles': profiles, 'checks': checks, 'compliant': (checks | rejectattr('passed') | list | length) == 0} | tojson(indent=2, sort_keys=true) }}
`
