// ---- rendering ----------------------------------------------------------------------------
function renderHeader(s) {
  document.title = s.fleet ? "Turnout " + s.fleet.instance : "Turnout";
  document.getElementById("meta").textContent = (s.fleet ? "instance " + s.fleet.instance + " · " : "") + "version " + s.version + " · up " + duration(s.uptime_s) + " · " + s.workers + " workers · listening on " + s.listen.join(", ");
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
    renderGuard(name, split, box.querySelector(".guard"));
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
        } }, "Switch"), " ",
        el("button", { type: "button", id: "switch-guard-" + name, title: "switch, then watch the new pool against the old pool's traffic and switch back on a fail",
          onclick: () => switchWithGuard(name) }, "Switch with guard…")),
      el("button", { type: "button", id: "rollback-" + name, onclick: () => act("Roll split " + name + " back to its previous weights?", "POST", "/splits/" + q + "/rollback") }, "Roll back")),
    el("div", { class: "buttons" }, el("span", { class: "muted" }, "Rollout:"),
      el("button", { type: "button", id: "rollout-start-" + name, onclick: () => act("Start a rollout of " + name + " from the configuration's template?", "POST", "/splits/" + q + "/rollout") }, "Start"),
      ...["pause", "resume", "abort", "promote"].map(verb => el("button", { type: "button", id: "rollout-" + verb + "-" + name, class: verb === "abort" ? "danger" : "",
        onclick: () => act(verb[0].toUpperCase() + verb.slice(1) + " the rollout of " + name + "?", "POST", "/splits/" + q + "/rollout/" + verb) }, verb[0].toUpperCase() + verb.slice(1)))),
    el("div", { class: "rollout", id: "rollout-" + name }),
    buildGuard(name));
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
  const leader = leaderLine(name, finished);
  if (leader) box.append(leader);
  const steps = el("div", { class: "steps" });
  report.steps.forEach((step, i) => {
    const label = step.pause ? "pause" : (step.weight + " %" + (step.hold_s ? " · " + duration(step.hold_s) : ""));
    const cls = "step" + (step.current ? " current" : (i + 1 < report.step ? " done" : ""));
    steps.append(el("span", { class: cls, "data-current": step.current ? "1" : "0", text: (i + 1) + ". " + label }));
  });
  box.append(steps);
  if (report.plan_check) box.append(el("p", { class: "muted plan-check", id: "plan-check-" + name, text: planCheckText(report.plan_check) }));
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
      el("thead", {}, el("tr", {}, ...["test", "verdict", "canary", "baseline", "evidence beyond tolerance (log scale)", "evidence within tolerance"].map(h => el("th", { text: h })))),
      el("tbody", {}, ...rows))));
    box.append(el("p", { class: "muted", text: "Analysis: " + analysis.decision + " — " + (analysis.reason || "") + " · canary " + analysis.canary_requests + " requests, baseline " + analysis.baseline_requests + " requests in this step" }));
  }
}

// The plan check from the start, one small line: per weight step the canary's expected rate and
// how long it needs to reach min_requests (a step that cannot within max_step_s is marked).
function planCheckText(plan) {
  if (!plan.checked) return "Plan check: " + plan.summary;
  const rate = v => v >= 1 ? fmtRate(v) : (v > 0 ? v.toPrecision(2) : "0") + " req/s";
  const steps = plan.steps.map(s => s.step + ". " + s.weight + " %: canary " + rate(s.canary_rps) + ", " +
    (s.seconds_to_min_requests == null ? "never reaches min_requests" : "≈ " + duration(s.seconds_to_min_requests) + " to min_requests") +
    (s.fits ? "" : " (over max_step_s)"));
  return "Plan check at " + rate(plan.split_rps) + " over " + duration(plan.measured_s) + (plan.forced ? ", forced" : "") + ": " + steps.join(" · ");
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
  // A fleet's entries name the instance that took the change; a Turnout alone has no column for it.
  const fleet = entries.some(e => e.instance);
  root.textContent = "";
  if (!entries.length) { root.append(el("p", { class: "muted", text: "No changes yet." })); return; }
  root.append(el("table", { id: "history-table" },
    el("thead", {}, el("tr", {}, ...["time", "what", "change", "who", ...(fleet ? ["instance"] : []), "reason"].map(h => el("th", { text: h })))),
    el("tbody", {}, ...entries.map(e => el("tr", {},
      el("td", { class: "num", text: localTime(e.time) }),
      el("td", { text: e.action.replace(/_/g, " ") + " " + (e.split || e.server || "") }),
      el("td", { text: e.old || e.new ? weights(e.old) + " → " + weights(e.new) : (e.server || "") }),
      el("td", { text: e.source + (who(e) ? " (" + who(e) + ")" : "") }),
      fleet ? el("td", { "data-instance": e.instance || "", text: e.instance || "" }) : null,
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
    for (const [name, split] of Object.entries(status.splits)) {
      if (split.guard && guardReportStale(split.guard, state.guards[name])) {
        try { state.guards[name] = await api("GET", "/splits/" + encodeURIComponent(name) + "/guard"); } catch (e) { /* shown on the next poll */ }
      }
    }
    state.mirror = mirrorConfigured(status) ? await api("GET", "/mirror") : null;
    state.history = (await api("GET", "/history")).entries || [];
    renderHeader(status);
    renderFleet(status);
    renderSplits(status);
    renderOverview();
    renderPools(status);
    renderMirror(status);
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
