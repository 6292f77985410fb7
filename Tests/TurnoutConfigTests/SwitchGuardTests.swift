import Testing
@testable import TurnoutConfig

/// The `guard` of a switch's body (SPEC §5): what each key decodes to, its defaults, and every
/// refusal with its JSON path.
@Suite struct SwitchGuardTests {
    /// Decodes a switch body to green carrying `guard` (raw JSON).
    static func decode(_ guardJSON: String) throws(ConfigErrors) -> SwitchGuard? {
        try AdminBody.switchTarget(Array(#"{"to": "green", "guard": \#(guardJSON)}"#.utf8)).guard
    }

    @Test func aBodyWithoutAGuardHasNone() throws {
        let target = try AdminBody.switchTarget(Array(#"{"to": "green"}"#.utf8))
        #expect(target.to == "green" && !target.force && target.guard == nil)
    }

    @Test func theWholeGuardDecodes() throws {
        let decoded = try Self.decode(#"""
            {"preflight": [{"path": "/healthz", "status": 200}, {"path": "/api/version?full=1", "body_contains": "2.4"}, {"path": "/gone", "status": 404}],
             "require_shadow": {"max_mismatch_rate": 0.001, "min_compared": 1000},
             "watch_s": 300, "baseline_s": 120}
            """#)
        #expect(decoded == SwitchGuard(
            preflight: [PreflightCheck(path: "/healthz", status: 200),
                        PreflightCheck(path: "/api/version?full=1", status: 200, bodyContains: "2.4"),
                        PreflightCheck(path: "/gone", status: 404)],
            requireShadow: ShadowRequirement(maxMismatchRate: 0.001, minCompared: 1000),
            watchSeconds: 300, baselineSeconds: 120))
        #expect(decoded?.checksBeforeSwitch == true)
        #expect(decoded?.preflight[1].description == "GET /api/version?full=1")
    }

    @Test func eachHalfAloneAndTheDefaults() throws {
        let preflight = try #require(try Self.decode(#"{"preflight": [{"path": "/healthz"}]}"#))
        #expect(preflight.preflight == [PreflightCheck(path: "/healthz", status: 200)])
        #expect(preflight.requireShadow == nil && preflight.watchSeconds == nil && preflight.baselineSeconds == nil)
        let watch = try #require(try Self.decode(#"{"watch_s": 60}"#))
        #expect(watch.watchSeconds == 60 && watch.baselineSeconds == 300, "baseline_s defaults to 300 with a watch")
        #expect(!watch.checksBeforeSwitch, "a watch alone checks nothing before the switch")
        let shadow = try #require(try Self.decode(#"{"require_shadow": {"max_mismatch_rate": 0, "min_compared": 1}}"#))
        #expect(shadow.requireShadow == ShadowRequirement(maxMismatchRate: 0, minCompared: 1))
        let sixteen = (0..<16).map { #"{"path": "/c\#($0)"}"# }.joined(separator: ", ")
        #expect(try Self.decode(#"{"preflight": [\#(sixteen)]}"#)?.preflight.count == 16)
        let longest = String(repeating: "x", count: 1024)
        #expect(try Self.decode(#"{"preflight": [{"path": "/", "body_contains": "\#(longest)"}]}"#)?.preflight.first?.bodyContains == longest)
        #expect(try Self.decode(#"{"require_shadow": {"max_mismatch_rate": 1, "min_compared": 5}}"#)?.requireShadow?.maxMismatchRate == 1)
    }

    /// A guard and the path and words of (the first of) its errors.
    struct BadCase: CustomStringConvertible, Sendable {
        var json: String
        var path: String
        var fragment: String
        init(_ json: String, _ path: String, _ fragment: String) {
            self.json = json
            self.path = path
            self.fragment = fragment
        }
        var description: String { json }
    }

    static let badCases: [BadCase] = [
        BadCase(#"[]"#, "guard", "expected a guard such as"),
        BadCase(#"{}"#, "guard", "expected at least one of \"preflight\", \"require_shadow\" or \"watch_s\""),
        BadCase(#"{"prefligth": []}"#, "guard.prefligth", #"did you mean "preflight"?"#),
        BadCase(#"{"preflight": []}"#, "guard.preflight", "expected at least one check"),
        BadCase(#"{"preflight": {"path": "/"}}"#, "guard.preflight", "expected a list of checks"),
        BadCase(#"{"preflight": ["/healthz"]}"#, "guard.preflight[0]", "expected a check such as"),
        BadCase(#"{"preflight": [{"status": 200}]}"#, "guard.preflight[0].path", "required key is missing"),
        BadCase(#"{"preflight": [{"path": "healthz"}]}"#, "guard.preflight[0].path", #"starting with "/""#),
        BadCase(#"{"preflight": [{"path": "/a b"}]}"#, "guard.preflight[0].path", "without spaces, control characters or non-ASCII"),
        BadCase(#"{"preflight": [{"path": "/a\r\nX: y"}]}"#, "guard.preflight[0].path", "without spaces, control characters"),
        BadCase(#"{"preflight": [{"path": "/caf\u00e9"}]}"#, "guard.preflight[0].path", "non-ASCII"),
        BadCase(#"{"preflight": [{"path": "/a#b"}]}"#, "guard.preflight[0].path", "without a fragment"),
        BadCase(#"{"preflight": [{"path": 5}]}"#, "guard.preflight[0].path", "expected a request path"),
        BadCase(#"{"preflight": [{"path": "/", "status": 99}]}"#, "guard.preflight[0].status", "expected an integer from 100 to 599, got 99"),
        BadCase(#"{"preflight": [{"path": "/", "status": 600}]}"#, "guard.preflight[0].status", "expected at most 599, got 600"),
        BadCase(#"{"preflight": [{"path": "/", "status": "200"}]}"#, "guard.preflight[0].status", "expected an integer"),
        BadCase(#"{"preflight": [{"path": "/"}, {"path": "/", "status": 200.5}]}"#, "guard.preflight[1].status", "expected an integer"),
        BadCase(#"{"preflight": [{"path": "/", "body_contains": ""}]}"#, "guard.preflight[0].body_contains", "got an empty string"),
        BadCase(#"{"preflight": [{"path": "/", "body_contains": "\#(String(repeating: "x", count: 1025))"}]}"#,
                "guard.preflight[0].body_contains", "expected at most 1024 bytes, got 1025"),
        BadCase(#"{"preflight": [{"path": "/", "body_contains": 2.4}]}"#, "guard.preflight[0].body_contains", "expected the text the body must contain"),
        BadCase(#"{"preflight": [{"path": "/", "body": "ok"}]}"#, "guard.preflight[0].body", "unknown key \"body\""),
        BadCase(#"{"preflight": [\#((0..<17).map { _ in #"{"path": "/"}"# }.joined(separator: ", "))]}"#,
                "guard.preflight", "expected at most 16 checks"),
        BadCase(#"{"require_shadow": 0.001}"#, "guard.require_shadow", "expected an object such as"),
        BadCase(#"{"require_shadow": {"min_compared": 10}}"#, "guard.require_shadow.max_mismatch_rate", "required key is missing"),
        BadCase(#"{"require_shadow": {"max_mismatch_rate": 0.1}}"#, "guard.require_shadow.min_compared", "required key is missing"),
        BadCase(#"{"require_shadow": {"max_mismatch_rate": 1.5, "min_compared": 10}}"#, "guard.require_shadow.max_mismatch_rate", "from 0 to 1, got 1.5"),
        BadCase(#"{"require_shadow": {"max_mismatch_rate": -0.1, "min_compared": 10}}"#, "guard.require_shadow.max_mismatch_rate", "from 0 to 1"),
        BadCase(#"{"require_shadow": {"max_mismatch_rate": "1%", "min_compared": 10}}"#, "guard.require_shadow.max_mismatch_rate", "expected a number"),
        BadCase(#"{"require_shadow": {"max_mismatch_rate": 0.1, "min_compared": 0}}"#, "guard.require_shadow.min_compared", "expected a positive integer, got 0"),
        BadCase(#"{"require_shadow": {"max_mismatch_rate": 0.1, "min_compared": 10, "window_s": 60}}"#, "guard.require_shadow.window_s", "unknown key"),
        BadCase(#"{"watch_s": 0}"#, "guard.watch_s", "expected a positive integer number of seconds, got 0"),
        BadCase(#"{"watch_s": 86401}"#, "guard.watch_s", "expected at most 86400 seconds (one day), got 86401"),
        BadCase(#"{"watch_s": "5m"}"#, "guard.watch_s", "expected an integer number of seconds"),
        BadCase(#"{"watch_s": 60, "baseline_s": 9}"#, "guard.baseline_s", "from 10 to 3600, got 9"),
        BadCase(#"{"watch_s": 60, "baseline_s": 3601}"#, "guard.baseline_s", "expected at most 3600 seconds (one hour)"),
        BadCase(#"{"preflight": [{"path": "/"}], "baseline_s": 60}"#, "guard.baseline_s", "add \"watch_s\""),
    ]

    @Test(arguments: badCases) func aBadGuardIsRefusedWithItsPath(_ row: BadCase) {
        do {
            _ = try Self.decode(row.json)
            Issue.record("accepted: \(row.json)")
        } catch {
            let first = error.errors.first
            #expect(first?.path == row.path, "\(error.errors)")
            #expect(first?.message.contains(row.fragment) == true, "\(error.errors)")
            #expect(error.source == "body")
        }
    }

    /// Several problems at once are all reported, each at its own path.
    @Test func everyProblemIsReported() {
        do {
            _ = try Self.decode(#"{"preflight": [{"path": "x", "status": 7}], "require_shadow": {"max_mismatch_rate": 2, "min_compared": 0}}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.errors.map(\.path) == ["guard.preflight[0].path", "guard.preflight[0].status",
                                                 "guard.require_shadow.max_mismatch_rate", "guard.require_shadow.min_compared"])
        }
    }
}
