/// The dashboard's style sheet.
extension DashboardPage {
    /// The page's CSS: layout at laptop and phone widths, the Okabe–Ito pool colours.
    static let style = ##"""
<style>
:root { --fg:#1d2430; --muted:#5b6575; --line:#d9dee6; --bg:#f5f7fa; --card:#fff; --bad:#b3261e; --ok:#1b6e3c; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; flex-wrap:wrap; gap:.4rem 1.2rem; align-items:baseline; padding:.7rem 1rem; background:#1d2430; color:#fff; }
header h1 { font-size:1.2rem; margin:0; }
header .meta { color:#c4cad4; font-size:.9rem; }
header .right { margin-left:auto; display:flex; gap:.5rem; align-items:center; }
#conn.bad { color:#ffb4a9; }
main { padding:.8rem; display:grid; gap:.8rem; grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr)); }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:.7rem .9rem; min-width:0; }
section.wide { grid-column:1/-1; }
h2 { font-size:1rem; margin:.1rem 0 .6rem; }
h3 { font-size:.95rem; margin:.5rem 0 .3rem; }
.muted { color:var(--muted); }
.bar { display:flex; height:30px; border-radius:5px; overflow:hidden; background:#e8ebf0; margin:.3rem 0; }
.bar div { transition:flex-basis .6s ease; display:flex; align-items:center; justify-content:center; color:#fff; font-weight:600; font-size:.85rem; white-space:nowrap; overflow:hidden; }
.legend { display:flex; flex-wrap:wrap; gap:.3rem .9rem; font-size:.9rem; }
.sw { display:inline-block; width:.8rem; height:.8rem; border-radius:2px; vertical-align:-1px; margin-right:.3rem; }
.buttons { display:flex; flex-wrap:wrap; gap:.4rem; margin:.5rem 0 .2rem; align-items:center; }
button, select, input { font:inherit; padding:.3rem .6rem; border:1px solid #9aa4b2; border-radius:5px; background:#fff; color:var(--fg); }
button { cursor:pointer; }
button:hover { background:#eef2f7; }
button.danger { border-color:var(--bad); color:var(--bad); }
#message { position:sticky; top:0; z-index:5; margin:0; padding:.55rem 1rem; display:none; font-weight:500; }
#message.error { display:block; background:#fdecea; color:var(--bad); border-bottom:1px solid #f3b8b2; }
#message.ok { display:block; background:#e8f4ec; color:var(--ok); border-bottom:1px solid #b5dcc2; }
table { border-collapse:collapse; width:100%; font-size:.88rem; }
th, td { text-align:left; padding:.25rem .4rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.tablewrap { overflow-x:auto; }
.state { font-weight:600; padding:0 .35rem; border-radius:4px; }
.state.up { color:var(--ok); background:#e8f4ec; }
.state.down, .state.ejected { color:var(--bad); background:#fdecea; }
.state.drain, .state.draining { color:#7a5200; background:#fff4d6; }
.charts { display:grid; gap:.5rem; grid-template-columns:repeat(auto-fit,minmax(min(100%,240px),1fr)); }
.chart { min-width:0; }
.chart .title { font-size:.82rem; color:var(--muted); display:flex; flex-wrap:wrap; justify-content:space-between; gap:0 .5rem; }
.chart .title span { white-space:nowrap; }
.chart .title b { color:var(--fg); font-variant-numeric:tabular-nums; }
canvas { width:100%; height:120px; display:block; }
.steps { display:flex; flex-wrap:wrap; gap:.3rem; margin:.4rem 0; }
.step { border:1px solid var(--line); border-radius:5px; padding:.15rem .5rem; font-size:.85rem; background:#f7f8fa; }
.step.done { background:#e8eef7; color:var(--muted); }
.step.current { border:2px solid #0072B2; background:#e6f1f8; font-weight:700; }
.plan-check { font-size:.8rem; margin:.1rem 0 .4rem; }
.badge { display:inline-block; font-weight:700; padding:.05rem .45rem; border-radius:4px; background:#e8ebf0; }
.badge.running { background:#e6f1f8; color:#005a8c; }
.badge.paused, .badge.stalled { background:#fff4d6; color:#7a5200; }
.badge.promoted { background:#e8f4ec; color:var(--ok); }
.badge.rolled_back, .badge.aborted { background:#fdecea; color:var(--bad); }
.evid { position:relative; height:10px; background:#e8ebf0; border-radius:3px; min-width:90px; }
.evid div { position:absolute; left:0; top:0; bottom:0; border-radius:3px; }
.reason { margin:.3rem 0; }
.split + .split { border-top:1px solid var(--line); margin-top:.7rem; padding-top:.5rem; }
footer { padding:0 1rem 1rem; color:var(--muted); font-size:.8rem; }
@media (max-width:600px) { body { font-size:13px; } main { padding:.4rem; } canvas { height:100px; } }
</style>
"""##
}
