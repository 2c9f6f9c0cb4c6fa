/** The dashboard's page and style sheet; its script is `client.ts`, compiled with the rest. */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>parley mock</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/__parley/dashboard.css">
</head>
<body>
<header>
  <h1>parley <span>mock</span></h1>
  <form id="credentials" autocomplete="off">
    <label>API key <input id="key" name="key" placeholder="the key your app sends"></label>
    <label>Session <input id="session" name="session" placeholder="x-parley-session"></label>
    <label>Admin token <input id="token" name="token" type="password" placeholder="x-parley-admin-token"></label>
    <button type="submit">Connect</button>
  </form>
  <div class="status"><span id="clock" title="The mock's clock"></span><span id="live" class="badge offline">offline</span></div>
</header>
<div id="reload-error" class="banner" role="alert" hidden></div>
<div id="reload-restart" class="banner notice" role="status" hidden></div>
<nav>
  <button type="button" data-panel="requests" class="active">Requests</button>
  <button type="button" data-panel="state">State</button>
  <button type="button" data-panel="specs">Specs</button>
  <button type="button" data-panel="controls">Controls</button>
</nav>
<main>
  <section id="panel-requests" class="split">
    <div class="scroll">
      <table id="requests">
        <thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th>ms</th><th>Tenant</th></tr></thead>
        <tbody></tbody>
      </table>
      <p id="requests-empty" class="hint">No requests yet: point your app at this mock.</p>
    </div>
    <aside id="request-detail" class="scroll"><p class="hint">Click a request to see its headers and bodies.</p></aside>
  </section>
  <section id="panel-state" hidden>
    <div class="toolbar">
      <input id="state-search" type="search" placeholder="Search records">
      <button type="button" id="state-refresh">Refresh</button>
      <span id="state-message" class="message"></span>
    </div>
    <div id="tenants"></div>
  </section>
  <section id="panel-specs" class="split" hidden>
    <div id="specs" class="scroll"></div>
    <aside class="scroll"><h2>Answer</h2><pre id="try-result" class="hint">Click a status or an example to send that request with a Prefer header.</pre></aside>
  </section>
  <section id="panel-controls" hidden>
    <form id="controls-form" class="card">
      <h2>Failure injection</h2>
      <label>Latency (ms, or min-max) <input id="latency" name="latency" placeholder="0"></label>
      <label>Error rate (0 to 1) <input id="error-rate" name="errorRate" type="number" min="0" max="1" step="0.05"></label>
      <button type="submit">Apply</button>
    </form>
    <form id="clock-form" class="card">
      <h2>Clock</h2>
      <p>Now: <output id="clock-now"></output> (offset <output id="clock-offset"></output> ms)</p>
      <label>Advance by minutes <input id="advance" name="advance" type="number" value="60"></label>
      <button type="submit">Advance</button>
    </form>
    <p id="controls-message" class="message"></p>
  </section>
</main>
<script type="module" src="/__parley/dashboard.js"></script>
</body>
</html>
`;

export const DASHBOARD_CSS = `
:root { --fg: #1d232b; --muted: #66707c; --line: #dde2e8; --bg: #f6f8fa; --accent: #2958d8; --ok: #1a7f37; --warn: #9a6700; --bad: #c62828; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); display: flex; flex-direction: column; height: 100vh; }
header { display: flex; align-items: center; gap: 16px; padding: 8px 16px; background: #fff; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
h1 { font-size: 18px; margin: 0; } h1 span { color: var(--muted); font-weight: 400; }
h2 { font-size: 15px; margin: 0 0 8px; }
form#credentials { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
label { color: var(--muted); font-size: 12px; display: inline-flex; flex-direction: column; gap: 2px; }
input, textarea, button { font: inherit; }
input, textarea { border: 1px solid var(--line); border-radius: 4px; padding: 4px 6px; color: var(--fg); }
button { border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; padding: 4px 10px; cursor: pointer; }
button.secondary, nav button { background: #fff; color: var(--accent); }
nav { display: flex; gap: 4px; padding: 8px 16px 0; }
nav button.active { background: var(--accent); color: #fff; }
.status { margin-left: auto; display: flex; gap: 12px; align-items: center; }
.badge { border-radius: 10px; padding: 2px 8px; font-size: 12px; background: #e8f5e9; color: var(--ok); }
.badge.offline { background: #fdecea; color: var(--bad); }
.banner { margin: 8px 16px 0; padding: 8px 12px; background: #fdecea; color: var(--bad); border-radius: 4px; white-space: pre-wrap; }
.banner.notice { background: #fff4e0; color: #7a4b00; }
main { flex: 1; min-height: 0; padding: 8px 16px 16px; }
main > section { height: 100%; }
.split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; }
.scroll { overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; color: var(--muted); font-weight: 500; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: #fff; }
td { padding: 3px 6px; border-bottom: 1px solid #f0f2f4; white-space: nowrap; }
td.path { white-space: normal; word-break: break-all; font-family: ui-monospace, monospace; }
tbody tr { cursor: pointer; } tbody tr:hover, tbody tr.selected { background: #eef3fe; }
.s2 { color: var(--ok); } .s4 { color: var(--warn); } .s5 { color: var(--bad); }
pre { background: var(--bg); padding: 6px; border-radius: 4px; overflow: auto; font-size: 12px; margin: 4px 0 10px; white-space: pre-wrap; word-break: break-word; }
.hint { color: var(--muted); }
.toolbar { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
.toolbar input { flex: 0 1 320px; }
.tenant { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; margin-bottom: 8px; }
.tenant > div:first-child { display: flex; gap: 8px; align-items: center; margin-bottom: 6px; }
details { border-top: 1px solid #f0f2f4; padding: 4px 0; }
summary { cursor: pointer; font-family: ui-monospace, monospace; font-size: 12px; }
textarea { width: 100%; min-height: 140px; font-family: ui-monospace, monospace; font-size: 12px; }
.spec { margin-bottom: 12px; }
.operation { border-top: 1px solid #f0f2f4; padding: 6px 0; }
.operation code { font-weight: 600; margin-right: 6px; }
.chips { display: flex; gap: 4px; flex-wrap: wrap; margin-top: 4px; }
.chips button { background: #fff; color: var(--fg); border-color: var(--line); font-size: 12px; padding: 1px 8px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px; margin-bottom: 12px; display: flex; gap: 12px; align-items: flex-end; flex-wrap: wrap; }
.card h2 { width: 100%; } .card p { width: 100%; margin: 0; }
.message { color: var(--muted); } .message.error { color: var(--bad); }
`;
