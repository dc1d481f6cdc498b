/** The page's style sheet, served as `/dashboard/app.css` (no inline style: the CSP allows the gateway's own). */
export const DASHBOARD_STYLE = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #6b7385; --line: #d9dde5; --bg: #f7f8fa; --card: #fff;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --accent: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8ee; --muted: #9aa3b5; --line: #30363d; --bg: #0d1117;
  --card: #161b22; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 1rem; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line);
  background: var(--card); }
header h1 { font-size: 1.1rem; margin: 0; }
header form { margin-left: auto; }
main { padding: 1rem 1.25rem; display: grid; gap: 1rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; }
h2 { font-size: .95rem; margin: 0 0 .5rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .8rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.error { color: var(--bad); max-width: 28rem; overflow-wrap: anywhere; }
td.tools { max-width: 18rem; overflow-wrap: anywhere; }
tr.empty td { color: var(--muted); }
.muted { color: var(--muted); font-size: .85em; }
.state, .outcome { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .8rem;
  border: 1px solid currentColor; }
.state-ready, .outcome-ok { color: var(--ok); }
.state-starting, .outcome-tool-error, .outcome-cancelled { color: var(--warn); }
.state-failed, .outcome-error, .outcome-timeout, .outcome-refused { color: var(--bad); }
.state-stopped, .state-disabled { color: var(--muted); }
button { font: inherit; padding: .15rem .6rem; margin-right: .25rem; border-radius: 4px; border: 1px solid var(--line);
  background: var(--bg); color: var(--fg); cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
#live { font-size: .8rem; }
#live.live { color: var(--ok); }
#live.offline { color: var(--bad); }
#status { min-height: 1.2em; margin: 0; color: var(--muted); }
#status.failed { color: var(--bad); }
#charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; }
figcaption { font-size: .85rem; margin-bottom: .25rem; }
svg.chart { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; }
.bar { fill: var(--accent); opacity: .55; }
.bar-failed { fill: var(--bad); }
.latency { fill: none; stroke: var(--warn); stroke-width: 1.5; }
.login { max-width: 24rem; margin: 4rem auto; }
.login input { width: 100%; font: inherit; padding: .4rem; margin: .5rem 0; }
.login .failed { color: var(--bad); }
`;
