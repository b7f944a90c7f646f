// The dashboard's pages as Eta templates (`<%= %>` escapes, `<%~ %>` inserts HTML the code built). Every
// table is plain HTML: the pages read without JavaScript; only the history chart needs it.

export const LAYOUT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title><%= it.title %></title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/uPlot.min.css">
<link rel="stylesheet" href="assets/dashboard.css">
</head>
<body>
<header><h1><%= it.title %></h1><p class="built">built <%= it.built %><% if (it.back) { %> · <a href="index.html">fleet</a><% } %></p></header>
<main>
<%~ it.body %>
</main>
<% if (it.chart) { %>
<script src="assets/uPlot.iife.min.js"></script>
<script src="assets/history.js"></script>
<% } %>
</body>
</html>
`

export const MACHINE = `
<section id="summary">
<h2>Machine</h2>
<table class="facts">
<tr><th>machine</th><td><%= it.m.id %></td></tr>
<tr><th>profile</th><td><%= it.profile ?? '—' %></td></tr>
<tr><th>platform</th><td><%= it.platform ?? '—' %></td></tr>
<tr><th>last apply</th><td><% if (it.m.last) { %>generation <%= it.m.last.number %> (<%= it.kind %>) at <%= it.m.last.time %>: <span class="<%= it.lastClass %>"><%= it.lastResult %></span><% } else { %>none<% } %></td></tr>
<tr><th>revision</th><td><%= it.revision %></td></tr>
<tr><th>drift</th><td><% if (it.m.drift) { %><span class="<%= it.m.drift.drift || it.m.drift.failed ? 'bad' : 'good' %>"><%= it.drift %></span> (<%= it.driftSource %>checked <%= it.m.drift.time %>, generation <%= it.m.drift.generation %>)<% } else { %>not checked (dsl drift --record)<% } %></td></tr>
</table>
</section>

<section id="states">
<h2>States of the last apply</h2>
<% if (it.m.states.length === 0) { %><p>No applied states.</p><% } else { %>
<table class="states">
<thead><tr><th>state</th><th>function</th><th>name</th><th>last apply</th><th>now</th><th>time</th><th>declared at</th></tr></thead>
<tbody>
<% for (const s of it.m.states) { %>
<tr class="<%= s.drifted ? 'drifted' : s.status !== 'ok' ? 'failed' : '' %>" data-state="<%= s.id %>">
<td><%= s.id %></td><td><%= s.fun %></td><td><%= s.name %></td>
<td><%= s.status === 'ok' ? s.change : s.status %></td>
<td><%= s.drifted ? 'drifted' : it.m.drift ? 'in sync' : '—' %></td>
<td><%= (s.durationMs / 1000).toFixed(2) %> s</td>
<td><% if (s.at) { %><a href="<%= it.href(s.at) %>"><%= s.at.text %></a><% } else { %>—<% } %></td>
</tr>
<% } %>
</tbody>
</table>
<% } %>
</section>

<section id="files">
<h2>Managed files</h2>
<% if (!it.files) { %><p>No status report in <%= it.m.reports.dir %> (apply the reporting SLS).</p><% } else { %>
<table class="files">
<thead><tr><th>path</th><th>kind</th><th>mode</th><th>owner</th><th>status</th></tr></thead>
<tbody>
<% for (const f of it.files) { %>
<tr class="<%= f.ok ? '' : 'drifted' %>"><td><%= f.path %></td><td><%= f.kind %></td><td><%= f.mode ?? '' %></td><td><%= f.user ?? '' %></td><td><%= f.ok ? 'in place' : 'missing or wrong' %></td></tr>
<% } %>
</tbody>
</table>
<% } %>
</section>

<section id="packages">
<h2>Packages</h2>
<% if (!it.packages) { %><p>No inventory report.</p><% } else { %>
<table class="packages">
<thead><tr><th>package</th><th>installed</th><th>version</th><th>update</th></tr></thead>
<tbody>
<% for (const p of it.packages) { %>
<tr class="<%= p.installed ? '' : 'failed' %>"><td><%= p.name %></td><td><%= p.installed ? 'yes' : 'no' %></td><td><%= p.version ?? '' %></td><td><%= p.update ?? '' %></td></tr>
<% } %>
</tbody>
</table>
<% } %>
</section>

<section id="services">
<h2>Services</h2>
<% if (!it.services) { %><p>No status report.</p><% } else { %>
<table class="services">
<thead><tr><th>service</th><th>running</th><th>enabled</th></tr></thead>
<tbody>
<% for (const s of it.services) { %>
<tr class="<%= s.running ? '' : 'failed' %>"><td><%= s.name %></td><td><%= s.running ? 'running' : 'stopped' %></td><td><%= s.enabled ? 'enabled' : 'disabled' %></td></tr>
<% } %>
</tbody>
</table>
<% } %>
</section>

<section id="compliance">
<h2>Compliance</h2>
<h3>Security baseline</h3>
<% if (it.m.baseline.length === 0) { %><p>The last apply ran no baseline rule (include compliance.baseline).</p><% } else { %>
<table class="baseline">
<thead><tr><th>rule</th><th>severity</th><th>result</th><th>finding</th><th>declared at</th></tr></thead>
<tbody>
<% for (const c of it.m.baseline) { %>
<tr class="<%= c.passed ? '' : 'failed' %>"><td><%= c.id %></td><td><%= c.severity ?? '' %></td><td><%= !c.applies ? 'n/a' : c.passed ? 'pass' : 'fail' %></td><td><%= c.detail ?? '' %></td><td><% if (c.at) { %><a href="<%= it.href(c.at) %>"><%= c.at.text %></a><% } %></td></tr>
<% } %>
</tbody>
</table>
<% } %>
<h3>Checks of the compliance report</h3>
<% if (!it.checks) { %><p>No compliance report.</p><% } else { %>
<table class="compliance">
<thead><tr><th>check</th><th>severity</th><th>result</th><th>detail</th></tr></thead>
<tbody>
<% for (const c of it.checks) { %>
<tr class="<%= c.passed ? '' : 'failed' %>"><td><%= c.id %></td><td><%= c.severity ?? '' %></td><td><%= c.passed ? 'pass' : 'fail' %></td><td><%= c.detail === undefined ? '' : JSON.stringify(c.detail) %></td></tr>
<% } %>
</tbody>
</table>
<% } %>
</section>

<section id="history">
<h2>History</h2>
<div id="chart" aria-hidden="true"></div>
<script type="application/json" id="history-data"><%~ it.historyJson %></script>
<table class="history">
<thead><tr><th>#</th><th>time</th><th>kind</th><th>changed</th><th>failed</th><th>duration</th></tr></thead>
<tbody>
<% for (const g of it.history) { %>
<tr class="<%= g.failed ? 'failed' : '' %>"><td><%= g.number %></td><td><%= g.time %></td><td><%= g.kind %></td><td><%= g.changed %></td><td><%= g.failed %></td><td><%= g.seconds.toFixed(1) %> s</td></tr>
<% } %>
</tbody>
</table>
</section>
`

export const FLEET = `
<section id="fleet">
<h2>Machines</h2>
<table class="fleet">
<thead><tr><th>machine</th><th>last apply</th><th>result</th><th>drift</th><th>generations</th></tr></thead>
<tbody>
<% for (const r of it.rows) { %>
<tr class="<%= r.failed ? 'failed' : r.drifted ? 'drifted' : '' %>"><td><a href="<%= r.page %>"><%= r.id %></a></td><td><%= r.time %></td><td><%= r.result %></td><td><%= r.drift %></td><td><%= r.generations %></td></tr>
<% } %>
</tbody>
</table>
</section>
`

export const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.built{color:#666}.good{color:#161}.bad{color:#b00;font-weight:bold}
tr.failed td{background:#fdd}tr.drifted td{background:#fec}tr.drifted td:first-child::before{content:"\\26A0  "}
`

/** Draws the history chart (uPlot) from the JSON the page carries; the table beside it has the same data. */
export const HISTORY_JS = `(function () {
  var data = JSON.parse(document.getElementById('history-data').textContent);
  var el = document.getElementById('chart');
  if (!el || data.length === 0) return;
  var cols = [data.map(function (g) { return g.t; }), data.map(function (g) { return g.changed; }),
    data.map(function (g) { return g.failed; }), data.map(function (g) { return g.seconds; })];
  new uPlot({
    width: 720, height: 240, title: 'Applies: changes, failures and duration',
    series: [{}, { label: 'changed', stroke: '#36c' }, { label: 'failed', stroke: '#c33' },
      { label: 'duration (s)', stroke: '#393', scale: 's' }],
    axes: [{}, {}, { scale: 's', side: 1 }],
  }, cols, el);
})();
`
