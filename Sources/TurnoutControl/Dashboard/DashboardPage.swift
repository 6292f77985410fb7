import TurnoutAdmin

/// The dashboard (`GET /` on every admin listener, and `turnout ctl dashboard`): one
/// self-contained page, inline CSS and JavaScript, no external asset, no build step. It polls
/// `/status`, `/stats/series`, `/history` and the rollout reports once a second and calls the
/// same endpoints as `turnout ctl` for its buttons, so a relay only has to copy requests.
///
/// It is a string literal compiled into the binary rather than a SwiftPM resource on purpose:
/// Turnout ships as one static binary, and a resource bundle would have to live beside it.
public enum DashboardPage {
    /// `text/html; charset=utf-8`, never cached (the page changes with the binary).
    public static let response = AdminResponse(status: 200, contentType: "text/html; charset=utf-8", body: Array(html.utf8))

    public static let html = ##"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Turnout</title>
<link rel="icon" href="data:,">
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
</head>
<body>
<header>
  <h1>Turnout</h1>
  <span class="meta" id="meta">connecting…</span>
  <span class="right"><span class="meta" id="conn"></span><button id="token-button" type="button">Token</button></span>
</header>
<p id="message" role="status"></p>
<main>
  <section class="wide" id="splits-section"><h2>Splits</h2><div id="splits"><p class="muted">Loading…</p></div></section>
  <section class="wide" id="overview-section"><h2>Pools: last 5 minutes, one point a second</h2><div class="charts" id="overview"></div></section>
  <section class="wide" id="pools-section"><h2>Servers</h2><div id="pools"></div></section>
  <section class="wide" id="history-section"><h2>History <span class="muted">(newest first)</span></h2><div class="tablewrap" id="history"></div></section>
</main>
<footer>Polls this admin API once a second. Times are in your local time zone. Traffic mirroring is not shown: Turnout does not mirror yet.</footer>
<script>
"use strict";
const POOL_COLORS = { blue: "#0072B2", green: "#009E73", canary: "#E69F00" };
const OTHER_COLORS = ["#56B4E9", "#D55E00", "#CC79A7", "#F0E442", "#000000", "#999999"];
const WINDOW_MS = 300000;
const state = { status: null, series: {}, lastSeriesTime: null, reports: {}, history: [], busy: false, failures: 0 };
let assignedOthers = {};

function poolColor(name) {
  if (POOL_COLORS[name]) return POOL_COLORS[name];
  if (!(name in assignedOthers)) assignedOthers[name] = OTHER_COLORS[Object.keys(assignedOthers).length % OTHER_COLORS.length];
  return assignedOthers[name];
}
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "style") node.style.cssText = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}
function localTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString([], { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
function clock(ms) { return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }); }
function duration(s) {
  s = Math.max(0, Math.round(s));
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
}
function fmtRate(v) { return v == null ? "–" : (v >= 100 ? Math.round(v) : v.toFixed(1)) + " req/s"; }
function fmtPct(v) { return v == null ? "–" : (v * 100 >= 10 ? (v * 100).toFixed(0) : (v * 100).toFixed(2)) + " %"; }
function fmtMs(v) { return v == null ? "–" : (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + " ms"; }
function fmtNum(v) { return v == null ? "–" : (Math.abs(v) >= 1000 ? v.toExponential(2) : +v.toFixed(2)); }

function token() { return sessionStorage.getItem("turnout-token"); }
function askToken(why) {
  const t = window.prompt((why ? why + "\n" : "") + "Admin token (sent as Authorization: Bearer, kept for this tab only):", "");
  if (t !== null) { if (t.trim()) sessionStorage.setItem("turnout-token", t.trim()); else sessionStorage.removeItem("turnout-token"); }
  return t !== null;
}
let asking = false;
async function api(method, path, body) {
  const headers = {};
  const t = token();
  if (t) headers["Authorization"] = "Bearer " + t;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (response.status === 401 && !asking) {
    asking = true;
    const again = askToken("The admin API needs a token.");
    asking = false;
    if (again) return api(method, path, body);
  }
  if (!response.ok) {
    const message = json && json.error ? json.error : ("HTTP " + response.status + (text ? ": " + text.slice(0, 200) : ""));
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return json;
}
function showMessage(text, kind) {
  const m = document.getElementById("message");
  m.textContent = text;
  m.className = kind;
  clearTimeout(showMessage.timer);
  if (kind === "ok") showMessage.timer = setTimeout(() => { m.className = ""; m.textContent = ""; }, 6000);
}
async function act(question, method, path, body) {
  if (!window.confirm(question)) return;
  try {
    await api(method, path, body);
    showMessage("Done: " + question.replace(/\?$/, ""), "ok");
  } catch (e) {
    showMessage("Refused: " + e.message, "error");
  }
  poll();
}

// ---- charts -------------------------------------------------------------------------------
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}
function drawChart(canvas, lines, format, floor) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (!w || !h) return;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const now = Date.now();
  // The whole 5 minutes once there is that much; a young series fills at least a minute's width.
  let first = now;
  for (const line of lines) for (const [t] of line.points) if (t < first) first = t;
  const span = Math.min(WINDOW_MS, Math.max(60000, now - first)), t0 = now - span;
  let max = 0, count = 0;
  for (const line of lines) for (const [t, v] of line.points) if (t >= t0 && v != null) { max = Math.max(max, v); count++; }
  canvas.dataset.points = String(count);
  max = niceMax(Math.max(max, floor || 0));
  const left = 64, right = 6, top = 6, bottom = 18;
  const pw = w - left - right, ph = h - top - bottom;
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillStyle = "#5b6575"; ctx.strokeStyle = "#e3e7ed"; ctx.lineWidth = 1;
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (let i = 0; i <= 2; i++) {
    const y = top + ph - ph * i / 2;
    ctx.beginPath(); ctx.moveTo(left, y + .5); ctx.lineTo(left + pw, y + .5); ctx.stroke();
    ctx.fillText(format(max * i / 2), left - 4, y);
  }
  ctx.textBaseline = "top";
  ctx.textAlign = "left"; ctx.fillText(clock(t0), left, top + ph + 4);
  ctx.textAlign = "right"; ctx.fillText(clock(now), left + pw, top + ph + 4);
  const x = t => left + pw * (t - t0) / span, y = v => top + ph - ph * v / max;
  for (const line of lines) {
    ctx.strokeStyle = line.color; ctx.lineWidth = line.width || 1.6; ctx.setLineDash(line.dash || []);
    ctx.beginPath();
    let drawing = false, last = null;
    for (const [t, v] of line.points) {
      if (t < t0) continue;
      if (v == null || (last != null && t - last > 2500)) { drawing = false; if (v == null) { last = t; continue; } }
      if (drawing) ctx.lineTo(x(t), y(v)); else { ctx.moveTo(x(t), y(v)); drawing = true; }
      last = t;
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
}
function column(points, i) { return points.map(p => [p[0], p[i]]); }
function lastValue(points, i) { for (let k = points.length - 1; k >= 0; k--) if (points[k][i] != null) return points[k][i]; return null; }

function chartBox(id, title) {
  let box = document.getElementById(id);
  if (!box) {
    box = el("div", { class: "chart", id }, el("div", { class: "title" }, el("span", { text: title }), el("b")), el("canvas", { "aria-label": title }));
  }
  return box;
}

// ---- rendering ----------------------------------------------------------------------------
function renderHeader(s) {
  document.getElementById("meta").textContent = "version " + s.version + " · up " + duration(s.uptime_s) + " · " + s.workers + " workers · listening on " + s.listen.join(", ");
}
function pools() { return state.status ? Object.keys(state.status.pools).sort() : []; }

function renderSplits(s) {
  const root = document.getElementById("splits");
  const names = Object.keys(s.splits).sort();
  const keep = new Set(names.map(n => "split-" + n));
  for (const child of [...root.children]) if (!keep.has(child.id)) child.remove();
  for (const name of names) {
    const split = s.splits[name];
    let box = document.getElementById("split-" + name);
    if (!box) { box = buildSplit(name, split); root.append(box); }
    const total = Object.values(split.weights).reduce((a, b) => a + b, 0) || 1;
    const bar = box.querySelector(".bar");
    const legend = box.querySelector(".legend");
    legend.textContent = "";
    for (const pool of Object.keys(split.weights).sort()) {
      const weight = split.weights[pool];
      let seg = bar.querySelector('[data-pool="' + CSS.escape(pool) + '"]');
      if (!seg) { seg = el("div", { "data-pool": pool, style: "background:" + poolColor(pool) + (pool === "canary" ? ";color:#1d2430" : "") }); bar.append(seg); }
      seg.dataset.weight = String(weight);
      seg.style.flex = "0 0 " + (100 * weight / total) + "%";
      seg.textContent = weight > 0 ? pool + " " + Math.round(100 * weight / total) + " %" : "";
      seg.title = pool + ": weight " + weight;
      legend.append(el("span", { "data-pool": pool, "data-weight": String(weight) }, el("span", { class: "sw", style: "background:" + poolColor(pool) }), pool + ": " + weight + " (" + Math.round(100 * weight / total) + " %)"));
    }
    box.querySelector(".source").textContent = "weights from " + split.source + (split.rollback_depth ? " · " + split.rollback_depth + " to roll back" : "");
    const select = box.querySelector("select");
    const options = Object.keys(split.weights).sort();
    if ([...select.options].map(o => o.value).join() !== options.join()) {
      select.textContent = "";
      for (const p of options) select.append(el("option", { value: p, text: p }));
    }
    renderRollout(name, split, box.querySelector(".rollout"));
  }
}
function buildSplit(name, split) {
  const q = encodeURIComponent(name);
  const box = el("div", { class: "split", id: "split-" + name },
    el("h3", {}, "split " + name + " ", el("span", { class: "muted source" })),
    el("div", { class: "bar", "aria-label": "weights of split " + name }),
    el("div", { class: "legend" }),
    el("div", { class: "buttons" },
      el("button", { type: "button", id: "weights-" + name, onclick: () => {
        const current = Object.entries(state.status.splits[name].weights).map(([p, w]) => p + "=" + w).join(" ");
        const text = window.prompt("New weights for split " + name + " (pool=weight …):", current);
        if (text === null) return;
        const body = {};
        for (const part of text.trim().split(/[\s,]+/)) {
          const m = /^([^=]+)=(\d+)$/.exec(part);
          if (!m) { showMessage("Not understood: " + part + " (write pool=weight)", "error"); return; }
          body[m[1]] = Number(m[2]);
        }
        act("Set the weights of " + name + " to " + text.trim() + "?", "PUT", "/splits/" + q, body);
      } }, "Set weights…"),
      el("span", {}, el("select", { id: "switch-to-" + name, "aria-label": "pool to switch to" }), " ",
        el("button", { type: "button", id: "switch-" + name, onclick: () => {
          const to = document.getElementById("switch-to-" + name).value;
          act("Switch split " + name + " to " + to + " (100 %)?", "POST", "/splits/" + q + "/switch", { to });
        } }, "Switch")),
      el("button", { type: "button", id: "rollback-" + name, onclick: () => act("Roll split " + name + " back to its previous weights?", "POST", "/splits/" + q + "/rollback") }, "Roll back")),
    el("div", { class: "buttons" }, el("span", { class: "muted" }, "Rollout:"),
      el("button", { type: "button", id: "rollout-start-" + name, onclick: () => act("Start a rollout of " + name + " from the configuration's template?", "POST", "/splits/" + q + "/rollout") }, "Start"),
      ...["pause", "resume", "abort", "promote"].map(verb => el("button", { type: "button", id: "rollout-" + verb + "-" + name, class: verb === "abort" ? "danger" : "",
        onclick: () => act(verb[0].toUpperCase() + verb.slice(1) + " the rollout of " + name + "?", "POST", "/splits/" + q + "/rollout/" + verb) }, verb[0].toUpperCase() + verb.slice(1)))),
    el("div", { class: "rollout", id: "rollout-" + name }));
  return box;
}
function renderRollout(name, split, box) {
  const report = state.reports[name];
  box.textContent = "";
  if (!split.rollout || !report) { box.dataset.state = "none"; return; }
  box.dataset.state = report.state;
  const finished = !!report.finished_at;
  box.append(el("h3", {}, "Rollout " + report.baseline + " → " + report.canary + " ", el("span", { class: "badge " + report.state, text: report.state.replace("_", " ") }),
    el("span", { class: "muted", text: " started " + localTime(report.started_at) + (finished ? " · finished " + localTime(report.finished_at) : " · " + duration(report.time_in_step_s) + " in step " + report.step) + " · advance: " + report.advance })));
  const steps = el("div", { class: "steps" });
  report.steps.forEach((step, i) => {
    const label = step.pause ? "pause" : (step.weight + " %" + (step.hold_s ? " · " + duration(step.hold_s) : ""));
    const cls = "step" + (step.current ? " current" : (i + 1 < report.step ? " done" : ""));
    steps.append(el("span", { class: cls, "data-current": step.current ? "1" : "0", text: (i + 1) + ". " + label }));
  });
  box.append(steps);
  box.append(el("p", { class: "reason" }, el("b", { text: finished ? "Outcome: " : "Now: " }), report.reason || ""));
  const analysis = report.analysis;
  if (analysis && analysis.metrics) {
    const rows = analysis.metrics.map(m => {
      const frac = m.threshold ? Math.min(1, Math.log(Math.max(1, m.evidence)) / Math.log(m.threshold)) : 0;
      const pfrac = m.pass_threshold ? Math.min(1, Math.log(Math.max(1, m.pass_evidence || 1)) / Math.log(m.pass_threshold)) : 0;
      const est = side => side && side.estimate != null ? fmtPct(side.estimate) : "–";
      return el("tr", {},
        el("td", { text: m.name.replace("_", " ") }),
        el("td", { text: m.verdict }),
        el("td", { class: "num", text: est(m.canary) }),
        el("td", { class: "num", text: est(m.baseline) }),
        el("td", {}, el("div", { class: "evid", title: "fail evidence " + fmtNum(m.evidence) + " of " + fmtNum(m.threshold) }, el("div", { style: "width:" + (100 * frac) + "%;background:#D55E00" })),
          el("span", { class: "muted", text: fmtNum(m.evidence) + " / " + fmtNum(m.threshold) })),
        el("td", {}, el("div", { class: "evid", title: "pass evidence " + fmtNum(m.pass_evidence) + " of " + fmtNum(m.pass_threshold) }, el("div", { style: "width:" + (100 * pfrac) + "%;background:#009E73" })),
          el("span", { class: "muted", text: fmtNum(m.pass_evidence) + " / " + fmtNum(m.pass_threshold) })));
    });
    box.append(el("div", { class: "tablewrap" }, el("table", {},
      el("thead", {}, el("tr", {}, ...["test", "verdict", "canary", "baseline", "evidence of a worse canary (log scale)", "evidence within tolerance"].map(h => el("th", { text: h })))),
      el("tbody", {}, ...rows))));
    box.append(el("p", { class: "muted", text: "Analysis: " + analysis.decision + " — " + (analysis.reason || "") + " · canary " + analysis.canary_requests + " requests, baseline " + analysis.baseline_requests + " requests in this step" }));
  }
}

function renderOverview() {
  const root = document.getElementById("overview");
  const names = pools();
  const specs = [["rps", "requests/s", 1, fmtRate], ["err", "error rate", 2, fmtPct], ["p50", "p50 latency", 3, fmtMs], ["p99", "p99 latency", 4, fmtMs]];
  for (const [key, title, i, fmt] of specs) {
    const box = chartBox("overview-" + key, title + " by pool");
    if (!box.parentNode) root.append(box);
    const lines = names.map(p => ({ color: poolColor(p), points: column((state.series[p] || {}).points || [], i), width: 2 }));
    drawChart(box.querySelector("canvas"), lines, fmt, key === "err" ? 0.01 : 0);
    box.querySelector(".title b").textContent = names.map(p => p + " " + fmt(lastValue((state.series[p] || {}).points || [], i))).join(" · ");
  }
}
function renderPools(s) {
  const root = document.getElementById("pools");
  for (const pool of pools()) {
    let box = document.getElementById("pool-" + pool);
    if (!box) {
      box = el("div", { id: "pool-" + pool, class: "split" },
        el("h3", {}, el("span", { class: "sw", style: "background:" + poolColor(pool) }), "pool " + pool + " ", el("span", { class: "muted", text: "(" + s.pools[pool].balance + ")" })),
        el("div", { class: "tablewrap" }, el("table", {})), el("div", { class: "charts" }));
      root.append(box);
    }
    const table = box.querySelector("table");
    table.textContent = "";
    table.append(el("thead", {}, el("tr", {}, ...["server", "state", "weight", "in flight", "requests/s", "errors", "p50", "p99", ""].map((h, i) => el("th", { class: i >= 2 && i < 8 ? "num" : "", text: h })))));
    const body = el("tbody");
    const seriesServers = (state.series[pool] || {}).servers || {};
    const dash = [[], [5, 3], [2, 2], [8, 3, 2, 3]];
    s.pools[pool].servers.forEach(server => {
      const pts = (seriesServers[server.address] || {}).points || [];
      const drained = server.state === "drain" || server.state === "draining";
      const base = "/pools/" + encodeURIComponent(pool) + "/servers/" + encodeURIComponent(server.address) + "/";
      body.append(el("tr", { "data-server": server.address },
        el("td", { text: server.address }),
        el("td", {}, el("span", { class: "state " + server.state, text: server.state })),
        el("td", { class: "num", text: String(server.weight) }),
        el("td", { class: "num", text: String(server.in_flight) }),
        el("td", { class: "num", text: fmtRate(lastValue(pts, 1)) }),
        el("td", { class: "num", text: fmtPct(lastValue(pts, 2)) }),
        el("td", { class: "num", text: fmtMs(lastValue(pts, 3)) }),
        el("td", { class: "num", text: fmtMs(lastValue(pts, 4)) }),
        el("td", {}, drained
          ? el("button", { type: "button", onclick: () => act("Enable " + server.address + " in " + pool + " (it gets new requests again)?", "POST", base + "enable") }, "Enable")
          : el("button", { type: "button", onclick: () => act("Drain " + server.address + " in " + pool + " (no new requests)?", "POST", base + "drain") }, "Drain"))));
    });
    table.append(body);
    const charts = box.querySelector(".charts");
    const servers = s.pools[pool].servers.map(x => x.address);
    const specs = [["rps", "requests/s per server", [[1, 0]], fmtRate], ["err", "error rate per server", [[2, 0]], fmtPct], ["lat", "latency per server: p50 solid, p99 dashed", [[3, 0], [4, 1]], fmtMs]];
    for (const [key, title, cols, fmt] of specs) {
      const chart = chartBox("chart-" + pool + "-" + key, title);
      if (!chart.parentNode) charts.append(chart);
      const lines = [];
      servers.forEach((addr, k) => {
        const pts = (seriesServers[addr] || {}).points || [];
        for (const [i, dashed] of cols) lines.push({ color: poolColor(pool), points: column(pts, i), dash: dashed ? [5, 3] : dash[k % dash.length], width: dashed ? 1.2 : 1.8 });
      });
      drawChart(chart.querySelector("canvas"), lines, fmt, key === "err" ? 0.01 : 0);
      chart.querySelector(".title b").textContent = fmt(lastValue((state.series[pool] || {}).points || [], cols[cols.length - 1][0]));
    }
  }
}
function renderHistory() {
  const root = document.getElementById("history");
  const entries = state.history.slice(0, 50);
  const weights = w => w ? Object.keys(w).sort().map(p => p + "=" + w[p]).join(" ") : "";
  const who = e => e.caller ? (e.caller.address ? e.caller.address : "uid " + e.caller.uid + " pid " + e.caller.pid) : "";
  root.textContent = "";
  if (!entries.length) { root.append(el("p", { class: "muted", text: "No changes yet." })); return; }
  root.append(el("table", { id: "history-table" },
    el("thead", {}, el("tr", {}, ...["time", "what", "change", "who", "reason"].map(h => el("th", { text: h })))),
    el("tbody", {}, ...entries.map(e => el("tr", {},
      el("td", { class: "num", text: localTime(e.time) }),
      el("td", { text: e.action.replace(/_/g, " ") + " " + (e.split || e.server || "") }),
      el("td", { text: e.old || e.new ? weights(e.old) + " → " + weights(e.new) : (e.server || "") }),
      el("td", { text: e.source + (who(e) ? " (" + who(e) + ")" : "") }),
      el("td", { text: e.reason || "" }))))));
}

// ---- polling ------------------------------------------------------------------------------
function mergeSeries(doc) {
  for (const [pool, data] of Object.entries(doc.pools || {})) {
    const mine = state.series[pool] || (state.series[pool] = { points: [], servers: {} });
    mine.points.push(...data.points);
    for (const [addr, sd] of Object.entries(data.servers || {})) {
      const s = mine.servers[addr] || (mine.servers[addr] = { points: [] });
      s.points.push(...sd.points);
    }
  }
  const cut = Date.now() - WINDOW_MS - 5000;
  let latest = state.lastSeriesTime;
  for (const pool of Object.values(state.series)) {
    pool.points = pool.points.filter(p => p[0] >= cut);
    for (const p of pool.points) if (latest == null || p[0] > latest) latest = p[0];
    for (const s of Object.values(pool.servers)) s.points = s.points.filter(p => p[0] >= cut);
  }
  state.lastSeriesTime = latest;
}
async function poll() {
  if (state.busy) return;
  state.busy = true;
  const conn = document.getElementById("conn");
  try {
    const status = await api("GET", "/status");
    state.status = status;
    const series = await api("GET", "/stats/series" + (state.lastSeriesTime != null ? "?since=" + state.lastSeriesTime : ""));
    mergeSeries(series);
    for (const [name, split] of Object.entries(status.splits)) {
      const old = state.reports[name];
      if (split.rollout && !(old && old.finished_at && split.rollout.state === old.state)) {
        try { state.reports[name] = await api("GET", "/splits/" + encodeURIComponent(name) + "/rollout"); } catch (e) { /* shown on the next poll */ }
      }
    }
    state.history = (await api("GET", "/history")).entries || [];
    renderHeader(status);
    renderSplits(status);
    renderOverview();
    renderPools(status);
    renderHistory();
    conn.textContent = "updated " + clock(Date.now());
    conn.className = "meta";
    state.failures = 0;
  } catch (e) {
    state.failures++;
    conn.textContent = "not reachable: " + e.message;
    conn.className = "meta bad";
  } finally {
    state.busy = false;
  }
}
document.getElementById("token-button").addEventListener("click", () => { askToken(""); poll(); });
window.addEventListener("resize", () => { if (state.status) { renderOverview(); renderPools(state.status); } });
poll();
setInterval(poll, 1000);
</script>
</body>
</html>
"""##
}
