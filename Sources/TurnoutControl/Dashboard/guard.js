// ---- guarded switches ---------------------------------------------------------------------
// A split's Guard block: shown while /status says the split has (or had) a guarded switch, drawn
// from GET /splits/NAME/guard (state.guards), which the poll fetches only then.

// The quantile's usual name: 0.99 → "p99", 0.995 → "p99.5".
function quantileName(q) { return "p" + String(+(q * 100).toFixed(3)); }

// True when the cached report may be stale for the summary in /status: a watching guard changes
// every look; an ended one only when another guard starts.
function guardReportStale(summary, report) {
  return !(report && report.finished_at && report.state === summary.state && report.watch_ends_at === summary.watch_ends_at);
}

// The "Switch with guard…" control: asks for the watch's seconds, then confirms.
function switchWithGuard(name) {
  const to = document.getElementById("switch-to-" + name).value;
  const text = window.prompt("Switch split " + name + " to " + to + " and watch it against the pool left's traffic: watch for how many seconds?", "300");
  if (text === null) return;
  const seconds = Number(text.trim());
  if (!Number.isInteger(seconds) || seconds <= 0) { showMessage("Not understood: " + text + " (write a whole number of seconds)", "error"); return; }
  act("Switch split " + name + " to " + to + " (100 %) and watch it for " + duration(seconds) + ", switching back on a fail?", "POST",
    "/splits/" + encodeURIComponent(name) + "/switch", { to, guard: { watch_s: seconds } });
}

// The block's fixed part (the buttons stay put while the report above them is redrawn).
function buildGuard(name) {
  const q = encodeURIComponent(name);
  return el("div", { class: "guard", id: "guard-" + name, "data-state": "none", hidden: "" },
    el("div", { class: "guard-report" }),
    el("div", { class: "buttons" }, el("span", { class: "muted" }, "Guard:"),
      el("button", { type: "button", id: "guard-keep-" + name, onclick: () => act("Keep the switch of " + name + " and end its watch now?", "POST", "/splits/" + q + "/guard/keep") }, "Keep"),
      el("button", { type: "button", id: "guard-revert-" + name, class: "danger", onclick: () => act("Revert split " + name + " to its weights before the switch?", "POST", "/splits/" + q + "/guard/revert") }, "Revert")));
}

// An evidence bar on the rollout's log scale: full at the threshold.
function evidenceBar(value, threshold, color, what) {
  const frac = threshold > 1 ? Math.min(1, Math.log(Math.max(1, value)) / Math.log(threshold)) : 0;
  return el("td", {}, el("div", { class: "evid", title: what + " evidence " + fmtNum(value) + " of " + fmtNum(threshold) },
    el("div", { style: "width:" + (100 * frac) + "%;background:" + color })), el("span", { class: "muted", text: fmtNum(value) + " / " + fmtNum(threshold) }));
}

function renderGuard(name, split, box) {
  const report = state.guards[name];
  const body = box.querySelector(".guard-report");
  box.hidden = !split.guard || !report;
  if (box.hidden) { box.dataset.state = "none"; return; }
  body.textContent = "";
  box.dataset.state = report.state;
  const watching = report.state === "watching";
  const when = watching
    ? duration((Date.parse(report.watch_ends_at) - Date.now()) / 1000) + " left of " + duration(report.watch_s) + " (ends " + localTime(report.watch_ends_at) + ")"
    : "ended " + localTime(report.finished_at) + " after " + duration((Date.parse(report.finished_at) - Date.parse(report.started_at)) / 1000) + " of " + duration(report.watch_s);
  body.append(el("h3", {}, "Guard " + report.from + " → " + report.to + " ", el("span", { class: "badge " + report.state, text: report.state }),
    el("span", { class: "muted guard-time", text: " started " + localTime(report.started_at) + " · " + when + " · " + report.looks + " looks" })));
  body.append(el("p", { class: "reason guard-reason" }, el("b", { text: watching ? "Now: " : "Outcome: " }), report.reason));
  const ref = report.reference, now = report.new, q = quantileName(now.latency_quantile);
  const versus = (value, limit) => el("td", { class: "num" }, value, el("span", { class: "muted", text: " " + limit }));
  const above = (value, line) => value != null && value > line;
  body.append(el("div", { class: "tablewrap" }, el("table", { class: "guard-table" },
    el("thead", {}, el("tr", {}, ...["pool", "traffic", "requests", "error rate", q + " latency", "share slower than the line"].map((h, i) => el("th", { class: i >= 2 ? "num" : "", text: h })))),
    el("tbody", {},
      el("tr", { "data-side": "reference" },
        el("td", {}, el("span", { class: "sw", style: "background:" + poolColor(ref.pool) }), ref.pool),
        el("td", { class: "muted", text: "reference: its last " + duration(ref.seconds) + " before the switch" }),
        el("td", { class: "num", "data-requests": String(ref.requests), text: String(ref.requests) }),
        versus(fmtPct(ref.error_rate), "bound " + fmtPct(ref.error_rate_bound)),
        el("td", { class: "num" }, el("span", { class: "muted", text: "bound " }), fmtMs(ref.latency_bound_ms)),
        el("td", { class: "num muted", text: "–" })),
      el("tr", { "data-side": "new" },
        el("td", {}, el("span", { class: "sw", style: "background:" + poolColor(now.pool) }), now.pool),
        el("td", { class: "muted", text: "new: since the switch" }),
        el("td", { class: "num", "data-requests": String(now.requests), text: String(now.requests) }),
        versus(el("span", { class: above(now.error_rate, now.error_line) ? "over" : "", text: fmtPct(now.error_rate) }), "line " + fmtPct(now.error_line)),
        versus(el("span", { class: above(now.latency_ms, now.latency_line_ms) ? "over" : "", text: fmtMs(now.latency_ms) }), "line " + fmtMs(now.latency_line_ms)),
        versus(el("span", { class: above(now.share_above_line, 1 - now.latency_quantile) ? "over" : "", text: fmtPct(now.share_above_line) }),
          "at most " + fmtPct(1 - now.latency_quantile)))))));
  const ev = report.evidence;
  const row = (test, value) => el("tr", { "data-test": test },
    el("td", { text: test === "error_rate" ? "error rate above its line" : q + " above its line" }),
    el("td", { text: value >= ev.threshold ? "fail" : (watching ? "watching" : "no fail") }),
    evidenceBar(value, ev.threshold, "#D55E00", "fail"));
  body.append(el("div", { class: "tablewrap" }, el("table", { class: "guard-evidence" },
    el("thead", {}, el("tr", {}, ...["test", "verdict", "evidence against " + report.to + " (log scale; full at the threshold)"].map(h => el("th", { text: h })))),
    el("tbody", {}, row("error_rate", ev.error_rate), row("latency", ev.latency)))));
  if (!watching) {
    const weights = w => Object.keys(w).sort().map(p => p + "=" + w[p]).join(" ");
    body.append(el("p", { class: "muted guard-weights", text: "Weights now " + weights(report.weights) + (report.state === "reverted" ? " (back as before the switch)" : "") }));
  }
}
