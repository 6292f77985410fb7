#!/usr/bin/python3
"""The dashboard in a real browser (headless Chromium through Selenium).

Starts fixture upstreams (turnout-bench upstream) and `turnout run` with a TCP admin listener on
loopback, sends steady traffic from a thread of its own, opens http://ADMIN/ and checks what an
operator would look at and click, up to a rollout rolled back and a guarded switch started from
the page and reverted when its new pool fails. Then, when etcd is installed, a fleet: its own
etcd and two `turnout run` instances sharing it, edge-1's page through `turnout ctl dashboard`,
and the Fleet panel as a change is made on edge-2 and etcd goes away (without etcd that
scenario is skipped with a note, or fails when TURNOUT_REQUIRE_ETCD=1). Every wait is bounded; everything started is
killed at the end; the last line is `N passed, N failed` and the exit status is non-zero on any
failure.

usage: dashboard_test.py --turnout PATH --bench PATH [--screenshot PATH] [--guard-screenshot PATH] [--fleet-screenshot PATH]
"""
import argparse
import http.client
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append((name, bool(ok)))
    print(("PASS " if ok else "FAIL ") + name + (": " + detail if detail else ""), flush=True)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, interval=0.2):
    """Calls predicate until it returns a true value or timeout seconds pass; returns the last value."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - a failed look is retried until the deadline
            value = None
        if value:
            return value
        time.sleep(interval)
    return value


def request(port, method, path, body=None, timeout=5):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def admin_json(port, method, path, body=None):
    status, text = request(port, method, path, body)
    return status, (json.loads(text) if text.strip() else None)


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP/1.1 over a Unix socket: the admin socket, as `curl --unix-socket` reaches it."""

    def __init__(self, socket_path, timeout=5):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def socket_json(socket_path, method, path, body=None):
    conn = UnixHTTPConnection(socket_path)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body))
        response = conn.getresponse()
        text = response.read().decode()
        return response.status, (json.loads(text) if text.strip() else None)
    finally:
        conn.close()


def start_chromium(directory):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                 "--user-data-dir=" + os.path.join(directory, "chromium")]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(15)
    driver.set_script_timeout(10)
    return driver


def stop_processes(processes):
    """SIGTERM to each process group, SIGKILL to any still there after 10 s; each waited for."""
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


class Traffic(threading.Thread):
    """GET / through the proxy on one keep-alive connection, about `rate` a second, until stopped."""

    def __init__(self, port, rate=150):
        super().__init__(daemon=True)
        self.port, self.rate = port, rate
        self.stop_event = threading.Event()
        self.sent = self.errors = 0

    def run(self):
        conn = None
        pause = 1.0 / self.rate
        while not self.stop_event.is_set():
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/")
                conn.getresponse().read()
                self.sent += 1
            except (OSError, http.client.HTTPException):
                self.errors += 1
                if conn is not None:
                    conn.close()
                conn = None
                self.stop_event.wait(0.05)
            self.stop_event.wait(pause)
        if conn is not None:
            conn.close()


def etcd_binary():
    return shutil.which("etcd") or ("/usr/bin/etcd" if os.access("/usr/bin/etcd", os.X_OK) else None)


def start_etcd(binary, directory):
    """etcd alone on free loopback ports, its data and log in `directory`; waits (bounded) until
    GET /health says true. Returns (process, client URL). A port taken between picking it and
    etcd binding it starts it again on new ports, three times at most."""
    for attempt in range(3):
        client, peer = free_port(), free_port()
        data = os.path.join(directory, "etcd-data-%d" % attempt)
        log_path = os.path.join(directory, "etcd-%d.log" % attempt)
        url, peer_url = "http://127.0.0.1:%d" % client, "http://127.0.0.1:%d" % peer
        with open(log_path, "w") as log:
            process = subprocess.Popen([binary, "--data-dir", data, "--listen-client-urls", url, "--advertise-client-urls", url,
                                        "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
                                        "--initial-cluster", "default=" + peer_url],
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def healthy():
            if process.poll() is not None:
                return "exited"
            status, text = request(client, "GET", "/health", timeout=1)
            return status == 200 and json.loads(text).get("health") == "true" and "healthy"
        outcome = wait_for(healthy, 20)
        if outcome == "healthy":
            return process, url
        exited = process.poll()
        stop_processes([process])
        tail = "".join(open(log_path).readlines()[-15:])
        if "address already in use" not in tail:
            what = "exited with status %d" % exited if exited is not None else "did not answer healthy within 20 s"
            raise RuntimeError("etcd (%s) %s; its log ends:\n%s" % (binary, what, tail))
    raise RuntimeError("etcd could not bind free ports three times over")


def read_line(process, timeout):
    """The first line `process` writes to its stdout (a pipe), waiting at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], max(0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(process.stdout.fileno(), 1)
        if not chunk:
            break
        line += chunk
    return line.decode()


def fleet_scenario(args):
    """Two instances sharing one etcd: edge-1's Fleet panel lists both and etcd reachable, shows a
    change made on edge-2 (weights and the history entry naming edge-2), the rollout's leader,
    and flags etcd as unreachable once it is killed."""
    binary = etcd_binary()
    if binary is None:
        if os.environ.get("TURNOUT_REQUIRE_ETCD") == "1":
            check("etcd is installed for the fleet scenario (TURNOUT_REQUIRE_ETCD=1)", False,
                  "etcd not found: install Debian's etcd-server")
        else:
            print("SKIP the fleet scenario: etcd not found (install Debian's etcd-server; TURNOUT_REQUIRE_ETCD=1 makes this a failure)", flush=True)
        return
    directory = tempfile.mkdtemp(prefix="turnout-browser-fleet-")
    processes = []
    driver = None
    etcd = None
    try:
        ports = {name: free_port() for name in ["blue", "green"]}
        for name in ["blue", "green"]:
            log = open(os.path.join(directory, name + ".log"), "w")
            processes.append(subprocess.Popen([args.bench, "upstream", "--listen", "127.0.0.1:%d" % ports[name], "--name", name],
                                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        etcd, etcd_url = start_etcd(binary, directory)
        processes.append(etcd)
        check("a fleet: etcd answers healthy on its free ports", True, etcd_url)

        sockets = {}
        for instance in ["edge-1", "edge-2"]:
            sockets[instance] = os.path.join(directory, instance + ".sock")
            config = {
                "listen": ["127.0.0.1:0"],
                "workers": 1,
                "admin": {"socket": sockets[instance], "token_file": None},
                "state_file": os.path.join(directory, instance + "-state.json"),
                "pools": {"blue": {"servers": ["127.0.0.1:%d" % ports["blue"]]}, "green": {"servers": ["127.0.0.1:%d" % ports["green"]]}},
                "splits": {"web": {"blue": 100, "green": 0}},
                "routes": [{"match": {"path_prefix": "/"}, "split": "web"}],
                "rollouts": {"web": {"baseline": "blue", "canary": "green", "steps": [{"weight": 20, "hold_s": 600}]}},
                "cluster": {"etcd": [etcd_url], "prefix": "/turnout/browser/", "instance": instance, "lease_s": 2},
            }
            config_path = os.path.join(directory, instance + ".json")
            with open(config_path, "w") as f:
                json.dump(config, f)
            log = open(os.path.join(directory, instance + ".log"), "w")
            processes.append(subprocess.Popen([args.turnout, "run", "-c", config_path], stdout=log, stderr=subprocess.STDOUT,
                                              cwd=directory, start_new_session=True))

        def members(instance):
            fleet = socket_json(sockets[instance], "GET", "/status")[1]["fleet"]
            return sorted(m["instance"] for m in fleet["instances"])
        both = ["edge-1", "edge-2"]
        listed = wait_for(lambda: members("edge-1") == both and members("edge-2") == both, 20)
        if not check("both instances answer on their admin sockets and list each other", listed):
            raise RuntimeError("the fleet did not form within 20 s")

        relay = subprocess.Popen([args.turnout, "ctl", "--socket", sockets["edge-1"], "dashboard"], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        processes.append(relay)
        line = read_line(relay, 10)
        url = line.split()[1] if line.startswith("dashboard: http://") else None
        if not check("turnout ctl dashboard relays edge-1's admin socket", url, line.strip()):
            raise RuntimeError("no dashboard URL from turnout ctl dashboard")

        driver = start_chromium(directory)
        driver.get(url)

        def js(script):
            return driver.execute_script(script)

        def shown_fleet():
            return js("const s = document.getElementById('fleet-section'); if (s.hidden) return null;"
                      "const e = document.getElementById('fleet-etcd');"
                      "return { title: document.getElementById('fleet-title').textContent, problem: s.classList.contains('problem'),"
                      " reachable: e && e.dataset.reachable, etcd: e && e.textContent, header: document.getElementById('meta').textContent,"
                      " rows: [...document.querySelectorAll('#fleet-members tbody tr')].map(r => ({ instance: r.dataset.instance,"
                      " this: !!r.querySelector('.badge.this'), leads: r.querySelector('[data-leads]').dataset.leads,"
                      " revision: Number(r.querySelector('[data-revision]').dataset.revision), behind: !!r.querySelector('.behind') })) }")
        fleet = wait_for(lambda: (lambda f: f and len(f["rows"]) == 2 and f)(shown_fleet()), 10) or shown_fleet() or {}
        rows = fleet.get("rows", [])
        check("the Fleet panel lists both members, edge-1 marked as this one",
              [r["instance"] for r in rows] == both and [r["this"] for r in rows] == [True, False], str(rows))
        check("the Fleet panel says etcd is reachable, at its address", fleet.get("reachable") == "true" and not fleet.get("problem")
              and "reachable" in fleet.get("etcd", "") and etcd_url in fleet.get("etcd", ""), str(fleet.get("etcd")))
        check("the header and the panel name this instance and the prefix", "instance edge-1" in fleet.get("header", "")
              and "/turnout/browser/" in fleet.get("title", "") and "this is edge-1" in fleet.get("title", ""),
              "%s | %s" % (fleet.get("header"), fleet.get("title")))

        # A change made on edge-2 is in force on edge-1 and its page within a fraction of a second.
        code, answer = socket_json(sockets["edge-2"], "PUT", "/splits/web", {"blue": 60, "green": 40})
        check("a weight change through edge-2's admin socket", code == 200, str(answer)[:200])

        def shown_weights():
            return js("return Object.fromEntries([...document.querySelectorAll('#split-web .legend [data-pool]')]"
                      ".map(e => [e.dataset.pool, Number(e.dataset.weight)]))")
        weights = wait_for(lambda: shown_weights() == {"blue": 60, "green": 40} and shown_weights(), 10) or shown_weights()
        check("edge-1's page shows the weights set on edge-2", weights == {"blue": 60, "green": 40}, str(weights))

        def history_rows():
            return js("const t = document.getElementById('history-table'); if (!t) return null;"
                      "return { columns: [...t.querySelectorAll('th')].map(e => e.textContent),"
                      " rows: [...t.querySelectorAll('tbody tr')].map(r => [r.children[1].textContent,"
                      " (r.querySelector('[data-instance]') || {}).textContent]) }")
        history = wait_for(lambda: (lambda h: h and ["weights web", "edge-2"] in h["rows"] and h)(history_rows()), 10) or history_rows() or {}
        check("edge-1's history names edge-2 as the instance that took the change",
              "instance" in history.get("columns", []) and ["weights web", "edge-2"] in history.get("rows", []), str(history)[:300])

        # A rollout started on edge-2: one instance leads it, and both the members' table and the
        # rollout panel name it.
        code, answer = socket_json(sockets["edge-2"], "POST", "/splits/web/rollout")
        check("a rollout starts through edge-2's admin socket", code == 200, str(answer)[:200])
        leader = wait_for(lambda: socket_json(sockets["edge-1"], "GET", "/status")[1]["fleet"]["leaders"].get("web"), 10)

        def shown_leader():
            return js("const l = document.getElementById('leader-web');"
                      "return { line: l && l.dataset.leader, text: l && l.textContent, leads: Object.fromEntries("
                      "[...document.querySelectorAll('#fleet-members tbody tr')].map(r => [r.dataset.instance, r.querySelector('[data-leads]').dataset.leads])) }")
        shown = wait_for(lambda: (lambda v: v["line"] == leader and v["leads"].get(leader) == "web" and v)(shown_leader()), 10) or shown_leader()
        check("the rollout's leader is named on the rollout panel and in the members' table", leader in both and shown["line"] == leader
              and shown["leads"].get(leader) == "web" and ("Led by " + leader) in (shown["text"] or ""), "leader %s, page %s" % (leader, shown))

        # A member is flagged when it reports less than the revision edge-1 applied the page's grace
        # ago (members report theirs with their heartbeat, so they lag for a moment after every
        # change): rendered from this poll's status with edge-1's revision ahead, first as just
        # seen, then as seen 5 s ago, read back in the same script call (no poll between); then
        # the page's memory of revisions is cleared, so the next poll starts it afresh.
        flagged = js("const s = JSON.parse(JSON.stringify(state.status)); s.fleet.revision += 2;"
                     "const read = () => [...document.querySelectorAll('#fleet-members tbody tr')].map(r => [r.dataset.instance,"
                     " (r.querySelector('.behind') || {}).textContent || null]);"
                     "revisionsSeen.length = 0; renderFleet(s); const fresh = read();"
                     "revisionsSeen.length = 0; revisionsSeen.push([Date.now() - 5000, s.fleet.revision]); renderFleet(s); const late = read();"
                     "revisionsSeen.length = 0; renderFleet(state.status); return { fresh, late }")
        check("a member behind this instance's revision is flagged after a grace (this one never is)",
              flagged == {"fresh": [["edge-1", None], ["edge-2", None]], "late": [["edge-1", None], ["edge-2", "behind"]]}, str(flagged))

        # Both instances keep up: over 6 s of polls during the rollout (which writes the state
        # often), past the page's 3 s grace, neither is ever flagged behind.
        deadline, flags = time.monotonic() + 6, []
        while time.monotonic() < deadline:
            flags += js("return [...document.querySelectorAll('#fleet-members .behind')].map(e => e.closest('tr').dataset.instance)")
            time.sleep(0.25)
        check("no member is flagged behind while both keep up", not flags, str(flags[:5]))

        # The screenshot: the header, the Fleet panel and the split with its rollout's leader.
        driver.set_window_size(1280, 1000)
        wait_for(lambda: shown_leader()["line"] == leader, 5)
        bottom = js("return Math.ceil(document.getElementById('splits-section').getBoundingClientRect().bottom + window.scrollY)")
        driver.set_window_size(1280, bottom + 12 + driver.execute_script("return window.outerHeight - window.innerHeight"))
        time.sleep(1.2)
        driver.save_screenshot(args.fleet_screenshot)
        check("a screenshot of the Fleet panel is saved", os.path.getsize(args.fleet_screenshot) > 10000, args.fleet_screenshot)
        driver.set_window_size(390, 844)
        time.sleep(1.2)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check("the Fleet panel is legible at a phone's width (no horizontal scrolling)", overflow <= 0, "%d px too wide" % overflow)
        driver.set_window_size(1280, 1000)

        # etcd gone: the panel flags it within a few seconds, and still lists the members.
        os.kill(etcd.pid, signal.SIGKILL)
        etcd.wait(5)
        down = wait_for(lambda: (lambda f: f and f["reachable"] == "false" and f)(shown_fleet()), 15) or shown_fleet() or {}
        check("with etcd killed the panel flags it unreachable, with the error", down.get("reachable") == "false" and down.get("problem")
              and "unreachable" in down.get("etcd", "") and "refused until etcd answers" in down.get("etcd", ""), str(down.get("etcd")))
        check("and still lists the members as last seen", [r["instance"] for r in down.get("rows", [])] == both, str(down.get("rows")))

        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        check("no JavaScript error in the browser log in a fleet", not severe, "; ".join(e["message"] for e in severe)[:500])
    except (WebDriverException, TimeoutException, RuntimeError, OSError, KeyError, ValueError, TypeError) as error:
        check("the fleet scenario ran to its end", False, "%s: %s" % (type(error).__name__, error))
    finally:
        if driver is not None:
            try:
                driver.quit()
            except WebDriverException:
                pass
        stop_processes(processes)
        if any(not ok for _, ok in RESULTS):
            for name in ["edge-1", "edge-2"]:
                log_path = os.path.join(directory, name + ".log")
                if os.path.exists(log_path):
                    print("--- %s's log (last 20 lines) ---\n" % name + "".join(open(log_path).readlines()[-20:]))
        shutil.rmtree(directory, ignore_errors=True)

def blue_requests_last_300s(admin):
    """Blue's requests over the last 300 s, summed from GET /stats/series (one point a second)."""
    series = admin_json(admin, "GET", "/stats/series")[1]
    column = series["columns"].index("requests_per_s")
    return sum(point[column] or 0 for point in series["pools"]["blue"]["points"])


def guard_scenario(driver, js, admin, ports, args):
    """A guarded switch from blue to green started through the page's "Switch with guard…": the
    Guard block shows it watching against blue's reference (the API's request count), then green
    answers only errors and the block shows it reverted, the reason naming the error rate, and
    the weights back on blue."""
    enough = wait_for(lambda: blue_requests_last_300s(admin) >= 1000, 20)
    check("blue has at least 1,000 requests in its last 300 s before the guarded switch", enough, "%d" % blue_requests_last_300s(admin))
    driver.set_window_size(1280, 1000)
    Select(driver.find_element(By.ID, "switch-to-web")).select_by_value("green")
    driver.find_element(By.ID, "switch-guard-web").click()
    prompt = WebDriverWait(driver, 5).until(expected_conditions.alert_is_present())
    asked = prompt.text
    prompt.send_keys("300")
    prompt.accept()
    confirm = WebDriverWait(driver, 5).until(expected_conditions.alert_is_present())
    question = confirm.text
    confirm.accept()
    code, report = wait_for(lambda: (lambda r: r[0] == 200 and r)(admin_json(admin, "GET", "/splits/web/guard")), 5) or (None, None)
    check("Switch with guard… asks for the watch's seconds, confirms, and starts a guarded switch to green",
          "seconds" in asked and "5 min" in question and code == 200 and report["state"] == "watching" and report["to"] == "green"
          and report["watch_s"] == 300, "asked %r, confirmed %r, API %s" % (asked, question, str(report)[:200]))
    summary = admin_json(admin, "GET", "/status")[1]["splits"]["web"]["guard"]
    check("/status carries the guard's summary", summary and summary["state"] == "watching" and summary["from"] == "blue"
          and summary["to"] == "green" and summary["watch_ends_at"] == report["watch_ends_at"], str(summary))

    def shown_guard():
        return js("const g = document.getElementById('guard-web'); if (!g || g.hidden) return null;"
                  "const n = s => (g.querySelector('tr[data-side=' + s + '] [data-requests]') || {}).textContent;"
                  "return { state: g.dataset.state, badge: (g.querySelector('.badge') || {}).textContent, reference: n('reference'), new: n('new'),"
                  " time: (g.querySelector('.guard-time') || {}).textContent, reason: (g.querySelector('.guard-reason') || {}).textContent,"
                  " weights: (g.querySelector('.guard-weights') || {}).textContent || '', tests: g.querySelectorAll('tr[data-test] .evid').length }")
    watching = wait_for(lambda: (lambda g: g and g["state"] == "watching" and g)(shown_guard()), 5) or shown_guard() or {}
    check("the Guard block shows watching, blue's reference as the API has it, time left and both tests",
          watching.get("badge") == "watching" and watching.get("reference") == str(report["reference"]["requests"])
          and "left of 5 min" in watching.get("time", "") and watching.get("tests") == 2,
          "page %s, API reference %s requests" % (watching, report["reference"]["requests"]))
    green_seen = wait_for(lambda: (lambda g: g and int(g["new"] or 0) > 0 and g)(shown_guard()), 10) or {}
    check("the new pool's requests count up on the page while it watches", green_seen, str(green_seen))

    # Green answers only errors: the guard switches back on its own, and the page says why.
    request(ports["green"], "POST", "/_fixture?error_rate=1")
    reverted = wait_for(lambda: (lambda g: g and g["state"] == "reverted" and g)(shown_guard()), 30) or shown_guard() or {}
    weights = admin_json(admin, "GET", "/status")[1]["splits"]["web"]["weights"]
    check("a failing green ends reverted on screen within 30 s, the reason naming its error rate",
          reverted.get("badge") == "reverted" and "error rate" in reverted.get("reason", "") and "Outcome" in reverted.get("reason", ""),
          str(reverted)[:400])
    check("and the weights are back on blue, in /status and on the page", weights == {"blue": 100, "green": 0, "canary": 0}
          and "blue=100" in reverted.get("weights", "") and "green=0" in reverted.get("weights", "")
          and wait_for(lambda: shown_weights_of(js).get("blue") == 100, 5), "%s | %s" % (weights, reverted.get("weights")))
    refused = js("return [...document.querySelectorAll('#guard-web button')].map(b => b.id)")
    check("the Guard block has its Keep and Revert buttons", refused == ["guard-keep-web", "guard-revert-web"], str(refused))
    history = wait_for(lambda: (lambda h: "guard start web" in h and "guard revert web" in h and h)(
        js("return document.getElementById('history-table').innerText")), 5) or ""
    check("the history shows the guard's start and revert", history, history[:200].replace("\n", " | "))

    # The block whole in the window (an element's screenshot is cut at the window's edge), with
    # the switch's "Done" message (sticky at the top) cleared so it does not cover the block.
    driver.set_window_size(1280, 1400)
    js("showMessage('', ''); document.getElementById('guard-web').scrollIntoView()")
    time.sleep(1.2)
    driver.find_element(By.ID, "guard-web").screenshot(args.guard_screenshot)
    check("a screenshot of the Guard block is saved", os.path.getsize(args.guard_screenshot) > 5000, args.guard_screenshot)
    request(ports["green"], "POST", "/_fixture?error_rate=0")

    # Keep on an ended guard is refused with the API's words.
    driver.find_element(By.ID, "guard-keep-web").click()
    WebDriverWait(driver, 5).until(expected_conditions.alert_is_present()).accept()
    shown = wait_for(lambda: "error" in driver.find_element(By.ID, "message").get_attribute("class") and driver.find_element(By.ID, "message").text, 5) or ""
    api_text = admin_json(admin, "POST", "/splits/web/guard/keep")[1]["error"]
    check("Keep on a guard that is over shows the API's refusal text", api_text in shown, "shown %r, API %r" % (shown, api_text))


def shown_weights_of(js):
    return js("return Object.fromEntries([...document.querySelectorAll('#split-web .legend [data-pool]')]"
              ".map(e => [e.dataset.pool, Number(e.dataset.weight)]))")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--turnout", required=True)
    parser.add_argument("--bench", required=True)
    parser.add_argument("--screenshot", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboard-rollout.png"))
    parser.add_argument("--guard-screenshot", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboard-guard.png"))
    parser.add_argument("--fleet-screenshot", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboard-fleet.png"))
    args = parser.parse_args()
    args.turnout, args.bench = os.path.abspath(args.turnout), os.path.abspath(args.bench)

    started = time.monotonic()
    directory = tempfile.mkdtemp(prefix="turnout-browser-")
    processes = []
    driver = None
    traffic = None
    try:
        ports = {name: free_port() for name in ["blue1", "blue2", "green", "canary", "shadow", "proxy", "admin"]}
        # The shadow answers like blue except under /v2 (a diverged body, and a 500 for /v2/status);
        # the canary's body says blue too, so the only mismatches are the shadow's under /v2.
        extra = {"shadow": ["--body-name", "blue", "--diverge-prefix", "/v2"], "canary": ["--body-name", "blue"]}
        for name in ["blue1", "blue2", "green", "canary", "shadow"]:
            log = open(os.path.join(directory, name + ".log"), "w")
            processes.append(subprocess.Popen([args.bench, "upstream", "--listen", "127.0.0.1:%d" % ports[name], "--name", name.rstrip("12")]
                                              + extra.get(name, []), stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        config = {
            "listen": ["127.0.0.1:%d" % ports["proxy"]],
            "workers": 2,
            "admin": {"socket": os.path.join(directory, "admin.sock"), "listen": "127.0.0.1:%d" % ports["admin"], "token_file": None},
            "state_file": None,
            "pools": {
                "blue": {"servers": ["127.0.0.1:%d" % ports["blue1"], "127.0.0.1:%d" % ports["blue2"]]},
                "green": {"servers": ["127.0.0.1:%d" % ports["green"]]},
                "canary": {"servers": ["127.0.0.1:%d" % ports["canary"]]},
                "shadow": {"servers": ["127.0.0.1:%d" % ports["shadow"]]},
            },
            "mirror": {"pool": "shadow", "percent": 100, "compare": True},
            "splits": {"web": {"blue": 90, "green": 0, "canary": 10}},
            "routes": [{"match": {"path_prefix": "/"}, "split": "web"}],
            "analysis": {"min_requests": 50, "interval_ms": 200},
            "rollouts": {"web": {"baseline": "blue", "canary": "canary",
                                 "steps": [{"weight": 20, "hold_s": 60}, {"weight": 50, "hold_s": 60}]}},
        }
        config_path = os.path.join(directory, "turnout.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        turnout_log = open(os.path.join(directory, "turnout.log"), "w")
        processes.append(subprocess.Popen([args.turnout, "run", "-c", config_path], stdout=turnout_log, stderr=subprocess.STDOUT,
                                          cwd=directory, start_new_session=True))
        admin = ports["admin"]
        if not check("turnout run answers /status on its TCP admin listener",
                     wait_for(lambda: admin_json(admin, "GET", "/status")[0] == 200, 15)):
            raise RuntimeError("turnout did not start; its log:\n" + open(os.path.join(directory, "turnout.log")).read())
        for name in ["blue1", "blue2", "green", "canary", "shadow"]:
            wait_for(lambda: request(ports[name], "GET", "/_fixture")[0] == 200, 10)

        traffic = Traffic(ports["proxy"])
        traffic.start()

        driver = start_chromium(directory)
        driver.get("http://127.0.0.1:%d/" % admin)

        # The page redraws its parts every second, so reads are done in one script call each:
        # an element found in one call may be replaced before the next.
        def js(script):
            return driver.execute_script(script)

        def shown_weights():
            return js("return Object.fromEntries([...document.querySelectorAll('#split-web .legend [data-pool]')]"
                      ".map(e => [e.dataset.pool, Number(e.dataset.weight)]))")

        status = admin_json(admin, "GET", "/status")[1]
        real = status["splits"]["web"]["weights"]
        got = wait_for(lambda: shown_weights() == real and shown_weights(), 10)
        check("the split's weights are rendered as /status has them", got == real, "page %s, /status %s" % (got, real))
        segments = js("return Object.fromEntries([...document.querySelectorAll('#split-web .bar [data-pool]')].map(e => [e.dataset.pool, e.getAttribute('style')]))")
        check("the stacked bar has a segment per pool, 90 % blue", "90%" in segments.get("blue", "").replace(" ", ""), str(segments))
        pools_shown = set(js("return [...document.querySelectorAll('[id^=pool-]')].map(e => e.id)"))
        check("every pool is rendered with its servers", pools_shown == {"pool-blue", "pool-green", "pool-canary", "pool-shadow"}
              and js("return document.querySelectorAll('#pool-blue tr[data-server]').length") == 2, str(pools_shown))

        def points():
            return int(js("return document.querySelector('#overview-rps canvas').dataset.points || 0"))
        first = wait_for(lambda: points() > 0 and points(), 10) or 0
        second = wait_for(lambda: points() >= first + 3 and points(), 10) or 0
        check("the charts gain points as traffic flows", first > 0 and second >= first + 3, "%d then %d points" % (first, second))
        rps_text = js("return document.querySelector('#overview-rps .title b').textContent")
        check("the requests/s chart shows a number with its unit", "req/s" in rps_text, rps_text)

        # The Shadow panel: every request is copied to the shadow pool and compared.
        for _ in range(3):
            request(ports["proxy"], "GET", "/v2/status")

        def shown_mirror():
            return js("const s = document.getElementById('mirror-section'); if (s.hidden) return null;"
                      "return { mirrored: Number((document.querySelector('#mirror-totals [data-count=mirrored] b') || {}).textContent),"
                      " matched: Number((document.querySelector('#mirror-totals [data-count=matched] b') || {}).textContent),"
                      " status: Number((document.querySelector('#mirror-totals [data-count=status_mismatch] b') || {}).textContent),"
                      " keys: [...document.querySelectorAll('#mirror-counts tbody tr')].map(r => r.dataset.key).sort(),"
                      " mismatches: [...document.querySelectorAll('#mirror-mismatches tbody tr')].map(r => [r.dataset.kind,"
                      " r.children[1].textContent, r.children[3].dataset.status, r.children[4].dataset.status]) }")
        mirror = wait_for(lambda: (lambda m: m and m["status"] >= 3 and m)(shown_mirror()), 10) or shown_mirror() or {}
        api_mirror = admin_json(admin, "GET", "/mirror")[1]
        api_keys = sorted("%s %s %s" % (c["route"], c["pool"], c["shadow"]) for c in api_mirror["counts"])
        check("the Shadow panel appears with the mirror's totals", mirror and mirror["mirrored"] > 0 and mirror["matched"] > 0
              and 0 < mirror["mirrored"] <= api_mirror["totals"]["mirrored"], "page %s, API mirrored %d" % (mirror, api_mirror["totals"]["mirrored"]))
        check("one row per route, pool and shadow, as GET /mirror has them", mirror and mirror["keys"] == api_keys,
              "page %s, API %s" % (mirror.get("keys"), api_keys))
        check("the latest mismatches show method, path and both statuses",
              mirror and mirror["mismatches"] == [["status", "GET /v2/status", "200", "500"]] * 3, str(mirror.get("mismatches", [])[:4]))

        # A refused action: nothing to roll back to yet.
        driver.find_element(By.ID, "rollback-web").click()
        WebDriverWait(driver, 5).until(expected_conditions.alert_is_present()).accept()
        refused = wait_for(lambda: "error" in driver.find_element(By.ID, "message").get_attribute("class") and driver.find_element(By.ID, "message").text, 5) or ""
        api_text = admin_json(admin, "POST", "/splits/web/rollback")[1]["error"]
        check("a refused action shows the API's refusal text", api_text in refused, "shown %r, API %r" % (refused, api_text))

        # Switch to green through the page, confirming.
        Select(driver.find_element(By.ID, "switch-to-web")).select_by_value("green")
        driver.find_element(By.ID, "switch-web").click()
        alert = WebDriverWait(driver, 5).until(expected_conditions.alert_is_present())
        question = alert.text
        alert.accept()
        switched = wait_for(lambda: admin_json(admin, "GET", "/status")[1]["splits"]["web"]["weights"] == {"blue": 0, "green": 100, "canary": 0}, 5)
        check("switch (confirmed) moves the weights in /status", switched, question)
        check("the page shows green at 100", wait_for(lambda: shown_weights().get("green") == 100, 5), str(shown_weights()))
        history = wait_for(lambda: js("return document.getElementById('history-table').innerText"), 5) or ""
        check("the history shows the switch with who did it", "switch web" in history and "127.0.0.1" in history, history.splitlines()[1] if "\n" in history else history)
        alone = js("return { hidden: document.getElementById('fleet-section').hidden, title: document.title,"
                   " columns: [...document.querySelectorAll('#history-table th')].map(e => e.textContent) }")
        check("a Turnout alone has no Fleet panel and no instance column", alone["hidden"] is True and alone["title"] == "Turnout"
              and alone["columns"] == ["time", "what", "change", "who", "reason"], str(alone))

        # Declining the confirmation changes nothing.
        driver.find_element(By.ID, "rollback-web").click()
        WebDriverWait(driver, 5).until(expected_conditions.alert_is_present()).dismiss()
        time.sleep(0.5)
        check("a dismissed confirmation changes nothing", admin_json(admin, "GET", "/status")[1]["splits"]["web"]["weights"]["green"] == 100)

        # A rollout started through the API.
        admin_json(admin, "PUT", "/splits/web", json.dumps({"blue": 100}))
        code, report = admin_json(admin, "POST", "/splits/web/rollout")
        check("a rollout starts through the API", code == 200, str(report)[:200])
        shown = wait_for(lambda: js("return document.getElementById('rollout-web').dataset.state") == "running", 5)
        steps = js("return [...document.querySelectorAll('#rollout-web .step')].map(e => [e.textContent, e.dataset.current])")
        current = [text for text, mark in steps if mark == "1"]
        check("the rollout appears with its steps, the current one marked", shown and len(steps) == 3 and current == ["1. 20 % · 1 min 0 s"],
              "%d steps, current %s" % (len(steps), current))
        check("the rollout shows its tests' evidence", wait_for(lambda: js("return document.querySelectorAll('#rollout-web tbody tr').length") >= 2, 5))
        time.sleep(4)  # a few seconds of the canary's traffic in the charts
        driver.set_window_size(1280, 1000)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(max(height + 20, 1000), 4000))
        time.sleep(1.2)
        driver.save_screenshot(args.screenshot)
        check("a screenshot of the rollout is saved", os.path.getsize(args.screenshot) > 10000, args.screenshot)

        # The canary fails: Turnout rolls it back, and the page says so.
        request(ports["canary"], "POST", "/_fixture?error_rate=1")
        rolled = wait_for(lambda: js("return document.getElementById('rollout-web').dataset.state") == "rolled_back", 30)
        outcome = js("return document.getElementById('rollout-web').innerText")
        check("the failing canary ends rolled back on screen", rolled and "rolled back" in outcome and "Outcome" in outcome, outcome[:300].replace("\n", " | "))
        weights = admin_json(admin, "GET", "/status")[1]["splits"]["web"]["weights"]
        check("and the weights are back on the baseline", weights.get("blue") == 100 and weights.get("canary") == 0, str(weights))

        guard_scenario(driver, js, admin, ports, args)

        # Phone width: nothing wider than the screen.
        driver.set_window_size(390, 844)
        time.sleep(1.2)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check("legible at a phone's width (no horizontal scrolling)", overflow <= 0, "%d px too wide" % overflow)

        logs = driver.get_log("browser")
        severe = [e for e in logs if e.get("level") == "SEVERE"]
        # The refused rollback above is logged by Chromium as a failed resource load (status 409);
        # that is the API's answer, not a script error.
        unexpected = [e for e in severe if not (e.get("source") == "network" and "status of 409" in e.get("message", ""))]
        check("no JavaScript error in the browser log", not unexpected, "; ".join(e["message"] for e in unexpected)[:500])
        check("the traffic flowed", traffic.sent > 200, "%d requests, %d errors" % (traffic.sent, traffic.errors))

        # With a token: the page asks for it once, keeps it in sessionStorage, never in the URL.
        token_admin = free_port()
        with open(os.path.join(directory, "token"), "w") as f:
            f.write("dashboard-test-token\n")
        config["admin"] = {"socket": os.path.join(directory, "admin-token.sock"), "listen": "127.0.0.1:%d" % token_admin,
                           "token_file": os.path.join(directory, "token")}
        config["listen"] = ["127.0.0.1:%d" % free_port()]
        with open(os.path.join(directory, "turnout-token.json"), "w") as f:
            json.dump(config, f)
        processes.append(subprocess.Popen([args.turnout, "run", "-c", os.path.join(directory, "turnout-token.json")], stdout=turnout_log,
                                          stderr=subprocess.STDOUT, cwd=directory, start_new_session=True))
        wait_for(lambda: request(token_admin, "GET", "/status")[0] == 401, 15)
        driver.set_window_size(1280, 1000)
        driver.get("http://127.0.0.1:%d/" % token_admin)
        prompt = WebDriverWait(driver, 5).until(expected_conditions.alert_is_present())
        asked = "token" in prompt.text
        prompt.send_keys("dashboard-test-token")
        prompt.accept()
        shown = wait_for(lambda: shown_weights() == {"blue": 90, "green": 0, "canary": 10}, 5)
        stored = js("return sessionStorage.getItem('turnout-token')")
        check("with a token configured the page asks once and then shows the data", asked and shown and stored == "dashboard-test-token"
              and "token" not in driver.current_url, "asked %s, shown %s, url %s" % (asked, shown, driver.current_url))
        token_logs = driver.get_log("browser")
        # The polls answered 401 before the token was given are logged as failed loads.
        unexpected += [e for e in token_logs if e.get("level") == "SEVERE"
                       and not (e.get("source") == "network" and "status of 401" in e.get("message", ""))]
        check("no JavaScript error in the browser log with a token either", not unexpected, "; ".join(e["message"] for e in unexpected)[:500])
    except (WebDriverException, TimeoutException, RuntimeError, OSError, KeyError, ValueError) as error:
        check("the test ran to its end", False, "%s: %s" % (type(error).__name__, error))
    finally:
        if traffic is not None:
            traffic.stop_event.set()
            traffic.join(5)
        if driver is not None:
            try:
                driver.quit()
            except WebDriverException:
                pass
        stop_processes(processes)
        if any(not ok for _, ok in RESULTS):
            log_path = os.path.join(directory, "turnout.log")
            if os.path.exists(log_path):
                print("--- turnout's log (last 30 lines) ---\n" + "".join(open(log_path).readlines()[-30:]))
        shutil.rmtree(directory, ignore_errors=True)
    fleet_scenario(args)
    passed = sum(1 for _, ok in RESULTS if ok)
    failed = len(RESULTS) - passed
    print("browser test took %.1f s" % (time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
