"use strict";
const POOL_COLORS = { blue: "#0072B2", green: "#009E73", canary: "#E69F00" };
const OTHER_COLORS = ["#56B4E9", "#D55E00", "#CC79A7", "#F0E442", "#000000", "#999999"];
const WINDOW_MS = 300000;
const state = { status: null, series: {}, lastSeriesTime: null, reports: {}, guards: {}, mirror: null, history: [], busy: false, failures: 0 };
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

