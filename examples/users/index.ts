// Users from the pillar, per machine: the inventory names each machine's users, their pillar layers merge
// into one `users` map, and forEach() declares each user's states when Salt renders the SLS, so every
// machine gets exactly its own users. The users formula's shape: a group, an account and a home under one
// ID, the .ssh directory and one state per key (a loop inside the loop), sudo rights where the pillar
// grants them, and old accounts removed.
import {
  file,
  forEach,
  group,
  ifDefined,
  inventory,
  layer,
  pillarSchema,
  pkg,
  profile,
  sls,
  state,
  text,
  user,
  when,
  z,
} from 'salt-dsl'

const account = z.object({
  fullname: z.string(),
  uid: z.number().int(),
  shell: z.string().optional(),
  sudo: z.boolean().optional(),
  ssh_keys: z.array(z.string()).optional(),
})

const { pillar } = pillarSchema(
  z.object({
    users: z.record(z.string(), account),
    absent_users: z.array(z.string()).optional(),
  }),
)

layer('users/ada', {
  users: {
    ada: {
      fullname: 'Ada Lovelace',
      uid: 1101,
      shell: '/bin/zsh',
      sudo: true,
      ssh_keys: ['ssh-ed25519 AAAAada1 ada@laptop', 'ssh-ed25519 AAAAada2 ada@phone'],
    },
  },
})
layer('users/grace', {
  users: { grace: { fullname: 'Grace Hopper', uid: 1102, ssh_keys: ['ssh-ed25519 AAAAgrace grace@desk'] } },
})
layer('users/linus', {
  users: { linus: { fullname: 'Linus Torvalds', uid: 1103, shell: '/bin/bash', sudo: true } },
})
layer('machines/server', { absent_users: ['guest', 'olduser'] })
layer('environments/personal', {})

export const users = sls('users', () => {
  const sudo = pkg('sudo')
  forEach(pillar.users, (u, name) => {
    const home = text`/home/${name}`
    // one ID, three modules: the group, the account (its primary group) and the home directory
    const primary = group(name, { id: text`${name}_user`, gid: u.uid })
    const login = user(name, {
      id: primary,
      uid: u.uid,
      gid: u.uid,
      home,
      fullname: u.fullname,
      shell: ifDefined(u.shell),
      require: [primary],
    })
    file(home, { id: primary, ensure: 'directory', user: name, group: name, mode: '0750', require: [login] })
    const ssh = file(text`/home/${name}/.ssh`, {
      id: text`${name}_ssh_dir`,
      ensure: 'directory',
      user: name,
      group: name,
      mode: '0700',
      require: [login],
    })
    forEach(u.ssh_keys, (key, index) => {
      state('ssh_auth.present', { id: text`${name}_ssh_key_${index}`, name: key, user: name, require: [ssh] })
    })
    when(u.sudo, () => {
      file(text`/etc/sudoers.d/${name}`, {
        id: text`${name}_sudoers`,
        contents: text`${name} ALL=(ALL) ALL\n`,
        mode: '0440',
        require: [sudo, login],
      })
    })
  })
  forEach(pillar.absent_users, (name) => {
    user(text`${name}`, { id: text`${name}_absent`, ensure: 'absent', purge: true })
  })
})

const base = profile('base', { sls: [users] })
inventory({
  machines: {
    laptop: { platform: 'debian', environment: 'personal', profile: base, users: ['ada', 'grace'] },
    server: { platform: 'debian', environment: 'personal', profile: base, users: ['grace', 'linus'] },
  },
  // a machine not registered yet gets the users its onboarding grains name (none by default)
  onboarding: { environment: 'personal', profile: base },
})
