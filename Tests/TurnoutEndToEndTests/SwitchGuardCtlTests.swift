import Foundation
import Testing
import TurnoutFixture

/// `turnout ctl switch … --preflight PATH[=STATUS][~TEXT]` against `turnout run` as real
/// processes: a miss refuses with the API's words and exit 1, checks that pass switch and go
/// into the history, and the flag's own usage errors.
@Suite struct SwitchGuardCtlTests {
    @Test func ctlSwitchWithPreflightRefusesOrSwitches() throws {
        let setup = try ControlProcessTests.Setup("ctl-preflight")
        defer { setup.stop() }
        let proxy = try ChildProcess(["run", "-c", setup.configPath])
        defer { kill(proxy.pid, SIGTERM); _ = proxy.waitForExit() }
        let port = try proxy.waitForListeningPort()
        let canary = setup.canary.address

        // The fixture answers "canary\n" on /, so the text is not there: refused, nothing changed.
        let missed = setup.ctl("switch", "web", "canary", "--preflight", "/healthz", "--preflight", "/=200~2.4")
        #expect(missed.status == 1)
        #expect(missed.error.contains(#"ctl: preflight refused the switch to "canary": \#(canary) answered GET / with 200 but the body does not contain "2.4" (it starts "canary\n"); nothing changed"#),
                "\(missed.error)")
        #expect(try setup.answers(port: port) == ["blue\n": 10])
        #expect(setup.ctl("history").output.contains("no changes yet"))

        let status = setup.ctl("switch", "web", "canary", "--preflight", "/status/503")
        #expect(status.status == 1)
        #expect(status.error.contains("\(canary) answered GET /status/503 with 503 (expected 200)"), "\(status.error)")

        // The API checks the words: its refusal names the check by its JSON path.
        let bad = setup.ctl("switch", "web", "canary", "--preflight", "healthz")
        #expect(bad.status == 1)
        #expect(bad.error.contains(#"guard.preflight[0].path: expected a request path starting with "/""#), "\(bad.error)")

        // A query with "=" stays in the path; "=503" is the status; the text follows "~".
        let passed = setup.ctl("switch", "web", "canary", "--preflight", "/healthz?full=1~ok", "--preflight", "/status/503=503",
                               "--preflight", "/=200~canary")
        #expect(passed.status == 0, "\(passed.error)")
        #expect(passed.output.contains("split web (runtime)"), "the output of a plain switch: \(passed.output)")
        #expect(try setup.answers(port: port) == ["canary\n": 10])
        let history = setup.ctl("history")
        #expect(history.output.contains("blue=100 canary=0 -> blue=0 canary=100  preflight passed: 1 server × 3 checks"), "\(history.output)")

        // Without --preflight, switch is as it was.
        #expect(setup.ctl("switch", "web", "blue").status == 0)
        #expect(try setup.answers(port: port) == ["blue\n": 10])

        for (words, message) in [(["weights", "web", "--preflight", "/"], "--preflight goes with switch only"),
                                 (["switch", "web", "canary", "--preflight", "=200"], "expected PATH[=STATUS][~TEXT]"),
                                 (["switch", "web", "canary", "--preflight"], "--preflight needs a value")] {
            let result = Self.ctl(setup, words)
            #expect(result.status == 1, "\(words)")
            #expect(result.error.contains(message), "\(words): \(result.error)")
        }
    }

    static func ctl(_ setup: ControlProcessTests.Setup, _ words: [String]) -> (status: Int32?, output: String, error: String) {
        guard let process = try? ChildProcess(["ctl", "--socket", setup.socketPath] + words) else { return (nil, "", "did not start") }
        let status = process.waitForExit()
        return (status, process.standardOutput(), process.standardError)
    }
}
