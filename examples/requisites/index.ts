// Every requisite kind, across two SLS modules (references into another module add its `include:`).
import { cmd, file, sls, state, top } from 'salt-dsl'

const root = process.env.REQUISITES_ROOT || '/tmp/salt-dsl-requisites'

let base!: ReturnType<typeof file>
let marker!: ReturnType<typeof file>

export const foundation = sls('req.base', () => {
  base = file(root, { ensure: 'directory' })
  marker = file(`${root}/marker`, { contents: 'v1\n', require: [base] })
})

export const app = sls('req.app', () => {
  const conf = file(`${root}/app.conf`, { contents: 'port = 8080\n', require: [base] })
  const reload = cmd(`touch ${root}/reloaded`, { onchanges: [conf] })
  cmd(`touch ${root}/watched`, { watch: [conf], creates: `${root}/watched` })
  cmd(`echo failed > ${root}/failed`, { onfail: [reload] })
  cmd(`cp ${root}/app.conf ${root}/app.conf.bak`, { prereq: [conf], onlyif: `test -f ${root}/app.conf` })
  state('test.succeed_without_changes', { name: 'listener', listen: [marker] })
  file(`${root}/copy.conf`, { contents: 'port = 8080\n', use: [conf] })
  cmd(`touch ${root}/any`, { require_any: [conf, marker], creates: `${root}/any` })
  cmd(`touch ${root}/changes-any`, { onchanges_any: [conf, marker] })
  cmd(`touch ${root}/watch-any`, { watch_any: [conf, marker], creates: `${root}/watch-any` })
  cmd(`touch ${root}/onfail-any`, { onfail_any: [reload, conf] })
  file(`${root}/early`, { contents: 'first\n', require_in: [conf], require: [base] })
  file(`${root}/watched-in`, { contents: 'x\n', watch_in: [reload], require: [base] })
  file(`${root}/onchanges-in`, { contents: 'x\n', onchanges_in: [reload], require: [base] })
  file(`${root}/onfail-in`, { contents: 'x\n', onfail_in: [reload], require: [base] })
  file(`${root}/listen-in`, { contents: 'x\n', listen_in: [reload], require: [base] })
  file(`${root}/prereq-in`, { contents: 'x\n', prereq_in: [marker], require: [base] })
  file(`${root}/use-in`, { contents: 'x\n', use_in: [marker], require: [base] })
  cmd(`touch ${root}/after-base`, { require: [foundation], creates: `${root}/after-base` }) // a whole SLS
  state('test.succeed_without_changes', { name: 'the-end', order: 'last', failhard: true })
})

top('*', [foundation, app])
