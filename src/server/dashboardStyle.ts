/** The dashboard's stylesheet, served as a file so the CSP allows only 'self' styles. */
export const DASHBOARD_STYLE = `
:root {
  --bg: #f5f6f8; --panel: #fff; --ink: #1f2328; --muted: #59636e; --line: #d8dee4;
  --ok: #1a7f37; --ok-bg: #dafbe1; --warning: #9a6700; --warning-bg: #fff8c5; --critical: #cf222e; --critical-bg: #ffebe9;
  --accent: #0969da;
}
* { box-sizing: border-box; }
/* The hidden attribute wins over the display of #signin, #main and the notice. */
[hidden] { display: none !important; }
html, body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header#top { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: #1f2328; color: #fff; }
header#top h1 { font-size: 18px; margin: 0 8px 0 0; font-weight: 600; }
header#top h1 span { font-weight: 400; color: #9198a1; }
#updated, #who, #connection { color: #c9d1d9; font-size: 13px; }
#who { margin-left: auto; }
#connection[data-state="live"]::before { content: "● "; color: #3fb950; }
#connection[data-state="reconnecting"]::before, #connection[data-state="error"]::before { content: "● "; color: #f85149; }
button { font: inherit; padding: 4px 10px; border: 1px solid var(--line); border-radius: 6px; background: #f6f8fa; color: var(--ink); cursor: pointer; }
button:hover:not(:disabled) { background: #eef1f4; }
button:disabled { opacity: .55; cursor: default; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.primary:hover:not(:disabled) { background: #0757ba; }
button.danger { color: var(--critical); }
header#top button { background: transparent; color: #fff; border-color: #57606a; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600; font-size: 12px; letter-spacing: .02em; text-transform: uppercase; background: #eaeef2; color: var(--muted); }
.badge[data-status="healthy"], .badge[data-level="ok"] { background: var(--ok-bg); color: var(--ok); }
.badge[data-status="degraded"], .badge[data-level="warning"] { background: var(--warning-bg); color: var(--warning); }
.badge[data-status="unhealthy"], .badge[data-level="critical"] { background: var(--critical-bg); color: var(--critical); }
#signin { display: flex; justify-content: center; padding: 60px 20px; }
#signin form { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 24px; width: 420px; display: flex; flex-direction: column; gap: 10px; }
#signin h2 { margin: 0; }
#signin input { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; }
#signin-error { color: var(--critical); min-height: 1em; margin: 0; }
main#main { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; padding: 16px 20px 40px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; min-width: 0; }
.panel.wide { grid-column: 1 / -1; }
.panel h2 { font-size: 15px; margin: 0 0 10px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
td.num { text-align: right; }
#alerts-summary { padding: 8px 12px; border-radius: 8px; font-weight: 600; margin-bottom: 8px; }
#alerts-summary[data-level="ok"] { background: var(--ok-bg); color: var(--ok); }
#alerts-summary[data-level="warning"] { background: var(--warning-bg); color: var(--warning); }
#alerts-summary[data-level="critical"] { background: var(--critical-bg); color: var(--critical); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.card { border: 1px solid #eaeef2; border-radius: 8px; padding: 8px 10px; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
#health-checks { list-style: none; padding: 0; margin: 10px 0 0; display: flex; flex-wrap: wrap; gap: 6px; }
#health-checks li { font-size: 12px; }
.job { display: grid; grid-template-columns: 220px 1fr 260px; gap: 12px; align-items: center; padding: 6px 0; border-bottom: 1px solid #eaeef2; }
.job .meta { font-size: 12px; color: var(--muted); }
.bar { height: 14px; border-radius: 7px; background: #eaeef2; overflow: hidden; }
.bar .fill { height: 100%; width: 0; background: var(--accent); transition: width .4s ease; }
.job[data-status="SUCCEEDED"] .bar .fill { background: var(--ok); }
.job[data-status="FAILED"] .bar .fill, .job[data-status="CANCELLED"] .bar .fill { background: var(--critical); }
#sync-actions { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
#sync-actions select { font: inherit; padding: 3px 6px; }
body:not([data-role="operator"]):not([data-role="admin"]) .operator-only { display: none; }
#charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 12px; }
.chart { min-width: 0; }
.empty { color: var(--muted); margin: 4px 0; }
.actions { display: flex; gap: 6px; }
.error-text { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; color: #6e4b00; word-break: break-word; }
#notice { position: fixed; bottom: 16px; right: 16px; max-width: 480px; padding: 10px 14px; border-radius: 8px; background: #1f2328; color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.2); }
#notice[data-kind="error"] { background: var(--critical); }
`;
