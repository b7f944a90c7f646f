import { defineConfig } from 'vitepress'

// The docs site: built from docs/ by `npx vitepress build docs` (the docs test builds it into a temp dir and
// browses it in a headless Chromium). Local search, no external services.
export default defineConfig({
  title: 'salt-dsl',
  description: 'Typed TypeScript for SaltStack',
  cleanUrls: false,
  // a page names its icon: browsers otherwise ask for /favicon.ico, which the site does not have
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  // a link to a page that does not exist fails the build
  ignoreDeadLinks: false,
  markdown: {
    // Salt's Jinja ({{ … }}) appears in inline code: Vue must not read it as an interpolation
    config: (md) => {
      const code = md.renderer.rules.code_inline
      md.renderer.rules.code_inline = (tokens, idx, options, env, self) =>
        (code?.(tokens, idx, options, env, self) ?? '').replace(/^<code/, '<code v-pre')
    },
  },
  themeConfig: {
    search: { provider: 'local' },
    nav: [
      { text: 'Guide', link: '/getting-started' },
      { text: 'CLI', link: '/cli' },
      { text: 'Reference', link: '/reference/' },
      { text: 'Diagnostics', link: '/diagnostics' },
    ],
    sidebar: [
      {
        text: 'Start',
        items: [
          { text: 'Overview', link: '/' },
          { text: 'Getting started', link: '/getting-started' },
          { text: 'Writing states', link: '/writing-states' },
          { text: 'Pillar, machines and profiles', link: '/pillar-machines-profiles' },
          { text: 'Loops and data-driven states', link: '/loops' },
          { text: 'Structure and existing Salt', link: '/structure' },
          { text: 'Per-platform values', link: '/per-platform-values' },
        ],
      },
      {
        text: 'Use',
        items: [
          { text: 'The CLI', link: '/cli' },
          { text: 'Your editor', link: '/editor' },
          { text: 'Operating a machine', link: '/operating' },
          { text: 'Status, alerts and audit', link: '/status' },
          { text: 'Safety guarantees', link: '/safety' },
          { text: 'Secrets', link: '/secrets' },
          { text: 'Profiles of the bundled config', link: '/profiles' },
          { text: 'Best practices', link: '/best-practices' },
          { text: 'Migrating from a Salt tree', link: '/migrating' },
        ],
      },
      {
        text: 'Look up',
        items: [
          { text: 'Troubleshooting', link: '/troubleshooting' },
          { text: 'Diagnostics', link: '/diagnostics' },
          { text: 'Reference', link: '/reference/' },
          { text: 'API', link: '/reference/api' },
          { text: 'Salt catalog', link: '/reference/salt-states' },
          { text: 'How it is built', link: '/internals' },
          { text: 'Benchmarks', link: '/benchmarks' },
        ],
      },
    ],
  },
})
