// ---- the fleet ----------------------------------------------------------------------------
// Shown only in a fleet (status.fleet is null for a Turnout alone, SPEC §16): etcd as this
// instance sees it, every member registered under the prefix, and who leads each rollout.
function fleetLeads(fleet) {
  const leads = {};
  for (const split of Object.keys(fleet.leaders).sort()) (leads[fleet.leaders[split]] || (leads[fleet.leaders[split]] = [])).push(split);
  return leads;
}
function secondsSince(iso) { const t = Date.parse(iso); return isNaN(t) ? 0 : (Date.now() - t) / 1000; }

// A member reports the revision it applied with its heartbeat (every second at most), and a
// rollout writes the state often, so right after a change every member is behind for a moment as
// a matter of course. A member is flagged when it reports less than the revision this instance
// had already applied BEHIND_GRACE_MS ago. revisionsSeen: [time first seen, revision], oldest
// first, trimmed so its first entry is the newest one seen at least the grace ago.
const BEHIND_GRACE_MS = 3000;
const revisionsSeen = [];
function settledRevision(revision) {
  const now = Date.now();
  if (!revisionsSeen.length || revisionsSeen[revisionsSeen.length - 1][1] !== revision) revisionsSeen.push([now, revision]);
  while (revisionsSeen.length > 1 && now - revisionsSeen[1][0] >= BEHIND_GRACE_MS) revisionsSeen.shift();
  return now - revisionsSeen[0][0] >= BEHIND_GRACE_MS ? revisionsSeen[0][1] : null;
}

function renderFleet(s) {
  const section = document.getElementById("fleet-section");
  const fleet = s.fleet;
  section.hidden = !fleet;
  if (!fleet) return;
  const etcd = fleet.etcd;
  section.classList.toggle("problem", !etcd.reachable);
  document.getElementById("fleet-title").textContent = "(" + fleet.prefix + " · this is " + fleet.instance + ", at revision " + fleet.revision + ")";
  const root = document.getElementById("fleet");
  root.textContent = "";
  const since = " since " + localTime(etcd.since) + " (" + duration(secondsSince(etcd.since)) + " ago)";
  root.append(etcd.reachable
    ? el("p", { id: "fleet-etcd", "data-reachable": "true" }, "etcd " + etcd.endpoints.join(", ") + " ",
        el("span", { class: "state up", text: "reachable" }), el("span", { class: "muted", text: since }))
    : el("p", { id: "fleet-etcd", class: "problem", "data-reachable": "false" }, "etcd " + etcd.endpoints.join(", ") + " ",
        el("span", { class: "state down", text: "unreachable" }), since + ": " + (etcd.error || "no answer") + ".",
        el("br"), "This instance routes by the state it applied last (revision " + fleet.revision + "); changes are refused until etcd answers again."));
  const leads = fleetLeads(fleet);
  // While etcd is unreachable the members' reports are as old as the outage: nobody is flagged.
  const settled = settledRevision(fleet.revision);
  // The admin column only when a member has a TCP admin address (an admin socket is not listed).
  const admin = fleet.instances.some(m => m.admin);
  const rows = fleet.instances.map(m => {
    const me = m.instance === fleet.instance;
    const behind = !me && etcd.reachable && settled != null && m.revision < settled;
    const started = new Date(m.started * 1000);
    return el("tr", { "data-instance": m.instance, class: me ? "this" : "" },
      el("td", {}, m.instance, me ? el("span", { class: "badge this", title: "the instance serving this page", text: "this" }) : null),
      el("td", { text: m.listen.join(", ") }),
      admin ? el("td", { text: m.admin || "–" }) : null,
      el("td", { text: m.version }),
      el("td", { class: "num", title: localTime(started.toISOString()), text: duration(Date.now() / 1000 - m.started) + " ago" }),
      el("td", { class: "num", "data-revision": String(m.revision) }, String(m.revision), behind
        ? el("span", { class: "state behind", title: m.instance + " reports revision " + m.revision + "; " + fleet.instance + " applied " + settled + " over " + BEHIND_GRACE_MS / 1000 + " s ago", text: "behind" }) : null),
      el("td", { "data-leads": (leads[m.instance] || []).join(","), text: (leads[m.instance] || []).join(", ") || "–" }));
  });
  root.append(el("div", { class: "tablewrap" }, el("table", { id: "fleet-members" },
    el("thead", {}, el("tr", {}, ...["instance", "listen", ...(admin ? ["admin"] : []), "version", "started", "revision applied", "leads the rollout of"]
      .map(h => el("th", { class: h === "started" || h === "revision applied" ? "num" : "", text: h })))),
    el("tbody", {}, ...rows))));
  if (!etcd.reachable) root.append(el("p", { class: "muted", text: "The members and leaders as last seen before etcd stopped answering." }));
}

// The rollout panel's line naming its leader, in a fleet only: the leader alone judges the
// fleet's summed evidence, so it is the instance whose log tells why a step moved.
function leaderLine(name, finished) {
  const fleet = state.status && state.status.fleet;
  if (!fleet) return null;
  const leader = fleet.leaders[name];
  if (!leader && finished) return null;
  return el("p", { class: "muted leader", id: "leader-" + name, "data-leader": leader || "" }, leader
    ? el("span", {}, "Led by ", el("b", { text: leader }), (leader === fleet.instance ? " (this instance)" : "") + ", which judges the whole fleet's traffic")
    : "No instance leads it yet: the first to claim it in etcd will judge the fleet's traffic");
}
