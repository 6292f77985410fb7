import Testing
@testable import TurnoutConfig

/// The `mirror` block (SPEC §10), at the top level and per route: defaults, every key, how a
/// route's setting resolves against the top level, and the errors with their exact paths.
@Suite struct MirrorConfigTests {
    /// Three routes; the last one carries `mirror` as given (raw JSON), or no `mirror` key when nil.
    static func routes(lastMirror: String?) -> String {
        let mirror = lastMirror.map { #", "mirror": \#($0)"# } ?? ""
        return #"[{"match": {"path_prefix": "/a"}, "pool": "blue"}, {"match": {"path_prefix": "/b"}, "pool": "blue"}, "#
            + #"{"match": {"path_prefix": "/"}, "split": "web"\#(mirror)}]"#
    }

    @Test func anAbsentKeyTakesTheDefaultOfSpec10() throws {
        let config = try #require(decoded(document(["mirror": #"{"pool": "canary", "percent": 5}"#])))
        let mirror = try #require(config.mirror)
        #expect(mirror.pool == "canary")
        #expect(mirror.percent == 5)
        #expect(mirror.methods == ["GET", "HEAD"])
        #expect(mirror.compare == false)
        #expect(mirror.noise == false)
        #expect(mirror.maxBodyBytes == 65_536)
        #expect(mirror.maxInFlight == 64)
        #expect(mirror.compareBodyBytes == 1_048_576)
        // The initializer's defaults are the decoder's.
        #expect(mirror == MirrorConfig(pool: "canary", percent: 5))
    }

    /// One key added to `{"pool": "canary", "percent": 5}` and the field it must set.
    struct KeyCase: CustomStringConvertible, Sendable {
        var json: String
        var expected: MirrorConfig
        var description: String { json }
    }

    static let keyCases: [KeyCase] = [
        KeyCase(json: #""compare": true, "noise": true"#,
                expected: MirrorConfig(pool: "canary", percent: 5, compare: true, noise: true)),
        KeyCase(json: #""compare": true, "noise": false"#,
                expected: MirrorConfig(pool: "canary", percent: 5, compare: true, noise: false)),
        KeyCase(json: #""noise": false"#, expected: MirrorConfig(pool: "canary", percent: 5, noise: false)),
        KeyCase(json: #""max_body_bytes": 0"#, expected: MirrorConfig(pool: "canary", percent: 5, maxBodyBytes: 0)),
        KeyCase(json: #""max_body_bytes": 1073741824"#, expected: MirrorConfig(pool: "canary", percent: 5, maxBodyBytes: 1 << 30)),
        KeyCase(json: #""max_in_flight": 1"#, expected: MirrorConfig(pool: "canary", percent: 5, maxInFlight: 1)),
        KeyCase(json: #""max_in_flight": 100000"#, expected: MirrorConfig(pool: "canary", percent: 5, maxInFlight: 100_000)),
        KeyCase(json: #""compare_body_bytes": 0"#, expected: MirrorConfig(pool: "canary", percent: 5, compareBodyBytes: 0)),
        KeyCase(json: #""compare_body_bytes": 1073741824"#,
                expected: MirrorConfig(pool: "canary", percent: 5, compareBodyBytes: 1 << 30)),
        KeyCase(json: #""methods": ["POST"], "compare": true, "noise": true, "max_body_bytes": 4096, "max_in_flight": 8, "compare_body_bytes": 512"#,
                expected: MirrorConfig(pool: "canary", percent: 5, methods: ["POST"], compare: true, noise: true,
                                       maxBodyBytes: 4096, maxInFlight: 8, compareBodyBytes: 512)),
    ]

    @Test(arguments: keyCases) func eachKeySetsItsFieldAtTheTopLevelAndOnARoute(_ row: KeyCase) throws {
        let block = #"{"pool": "canary", "percent": 5, \#(row.json)}"#
        let top = try #require(decoded(document(["mirror": block])))
        #expect(top.mirror == row.expected)
        let perRoute = try #require(decoded(document(["routes": Self.routes(lastMirror: block)])))
        #expect(perRoute.routes[2].mirror == .mirror(row.expected))
    }

    @Test func aRouteOverridesOptsOutOrInheritsTheTopLevelMirror() throws {
        let routes = #"[{"match": {"path_prefix": "/own"}, "pool": "blue", "mirror": {"pool": "blue", "percent": 1}}, "#
            + #"{"match": {"path_prefix": "/off"}, "pool": "blue", "mirror": null}, "#
            + #"{"match": {"path_prefix": "/"}, "split": "web"}]"#
        let top = #"{"pool": "canary", "percent": 5, "compare": true, "max_in_flight": 8}"#
        let config = try #require(decoded(document(["mirror": top, "routes": routes])))
        let topLevel = MirrorConfig(pool: "canary", percent: 5, compare: true, maxInFlight: 8)
        // The route's own block replaces the top level's as a whole: compare and max_in_flight
        // take their defaults, not the top level's values.
        let own = MirrorConfig(pool: "blue", percent: 1)
        #expect(config.mirror == topLevel)
        #expect(config.routes.map(\.mirror) == [.mirror(own), .off, .inherit])
        #expect(config.mirror(forRoute: 0) == own)
        #expect(config.mirror(forRoute: 1) == nil)
        #expect(config.mirror(forRoute: 2) == topLevel)
    }

    @Test func withoutATopLevelMirrorOnlyARouteWithItsOwnIsMirrored() throws {
        let routes = #"[{"match": {"path_prefix": "/own"}, "pool": "blue", "mirror": {"pool": "canary", "percent": 100}}, "#
            + #"{"match": {"path_prefix": "/off"}, "pool": "blue", "mirror": null}, "#
            + #"{"match": {"path_prefix": "/"}, "split": "web"}]"#
        for top: String? in [nil, "null"] {
            let config = try #require(decoded(document(["mirror": top, "routes": routes])))
            #expect(config.mirror == nil)
            #expect(config.routes.map(\.mirror) == [.mirror(MirrorConfig(pool: "canary", percent: 100)), .off, .inherit])
            #expect(config.mirror(forRoute: 0) == MirrorConfig(pool: "canary", percent: 100))
            #expect(config.mirror(forRoute: 1) == nil)
            #expect(config.mirror(forRoute: 2) == nil)
        }
    }

    @Test func aRouteBuiltInCodeInheritsByDefault() {
        #expect(RouteConfig(target: .pool("blue")).mirror == .inherit)
    }

    @Test(arguments: [
        (RouteMirror.inherit, false, nil), (.inherit, true, "top"),
        (.off, false, nil), (.off, true, nil),
        (.mirror(MirrorConfig(pool: "own", percent: 1)), false, "own"), (.mirror(MirrorConfig(pool: "own", percent: 1)), true, "own"),
    ] as [(RouteMirror, Bool, String?)])
    func resolutionAgainstTheTopLevel(_ setting: RouteMirror, _ hasTop: Bool, _ pool: String?) {
        let top = hasTop ? MirrorConfig(pool: "top", percent: 5) : nil
        #expect(setting.resolved(over: top)?.pool == pool)
    }

    /// A change to the base document and the one error it must produce, exactly.
    struct ErrorCase: CustomStringConvertible, Sendable {
        var changes: [String: String?]
        var path: String
        var message: String
        var description: String { "\(path): \(message)" }

        /// At the top level: `mirror` is `block`.
        static func top(_ block: String, _ path: String, _ message: String) -> ErrorCase {
            ErrorCase(changes: ["mirror": block], path: path, message: message)
        }

        /// On the third route: its `mirror` is `block`.
        static func route(_ block: String, _ path: String, _ message: String) -> ErrorCase {
            ErrorCase(changes: ["routes": MirrorConfigTests.routes(lastMirror: block)], path: path, message: message)
        }
    }

    static let errorCases: [ErrorCase] = [
        // The shadow pool must exist.
        .top(#"{"pool": "canry", "percent": 5}"#, "mirror.pool", #"no pool named "canry"; did you mean "canary"?"#),
        .route(#"{"pool": "canry", "percent": 5}"#, "routes[2].mirror.pool", #"no pool named "canry"; did you mean "canary"?"#),
        .route(#"{"percent": 5}"#, "routes[2].mirror.pool", "required key is missing (expected the name of the shadow pool)"),
        // Ranges.
        .top(#"{"pool": "canary", "percent": 101}"#, "mirror.percent", "expected a number from 0 to 100, got 101"),
        .route(#"{"pool": "canary", "percent": 101}"#, "routes[2].mirror.percent", "expected a number from 0 to 100, got 101"),
        .route(#"{"pool": "canary", "percent": 5, "max_in_flight": 0}"#, "routes[2].mirror.max_in_flight",
               "expected a positive integer, got 0"),
        .top(#"{"pool": "canary", "percent": 5, "max_in_flight": 0}"#, "mirror.max_in_flight", "expected a positive integer, got 0"),
        .top(#"{"pool": "canary", "percent": 5, "max_in_flight": 100001}"#, "mirror.max_in_flight",
             "expected at most 100000 (shadow exchanges per worker), got 100001"),
        .top(#"{"pool": "canary", "percent": 5, "max_body_bytes": -1}"#, "mirror.max_body_bytes",
             "expected a non-negative integer number of bytes, got -1"),
        .top(#"{"pool": "canary", "percent": 5, "max_body_bytes": 1073741825}"#, "mirror.max_body_bytes",
             "expected at most 1073741824 bytes (1 GiB), got 1073741825"),
        .route(#"{"pool": "canary", "percent": 5, "compare_body_bytes": 1073741825}"#, "routes[2].mirror.compare_body_bytes",
               "expected at most 1073741824 bytes (1 GiB), got 1073741825"),
        // noise needs compare.
        .top(#"{"pool": "canary", "percent": 5, "noise": true}"#, "mirror.noise",
             #"noise filtering needs "compare": true (the second primary's answer only matters to the comparison); set "compare": true or remove "noise""#),
        .route(#"{"pool": "canary", "percent": 5, "noise": true, "compare": false}"#, "routes[2].mirror.noise",
               #"noise filtering needs "compare": true (the second primary's answer only matters to the comparison); set "compare": true or remove "noise""#),
        // A mistyped compare is reported once, not again as noise without compare.
        .top(#"{"pool": "canary", "percent": 5, "noise": true, "compare": "yes"}"#, "mirror.compare", #"expected true or false, got "yes""#),
        // Unknown keys, with the nearest known one.
        .top(#"{"pool": "canary", "percent": 5, "max_inflight": 8}"#, "mirror.max_inflight", #"unknown key "max_inflight"; did you mean "max_in_flight"?"#),
        .route(#"{"pool": "canary", "percent": 5, "max_inflight": 8}"#, "routes[2].mirror.max_inflight",
               #"unknown key "max_inflight"; did you mean "max_in_flight"?"#),
        .route(#"{"pool": "canary", "percent": 5, "compare_body": 8}"#, "routes[2].mirror.compare_body",
               #"unknown key "compare_body"; did you mean "compare_body_bytes"?"#),
        // Wrong types.
        .top(#"{"pool": "canary", "percent": 5, "compare": true, "noise": "yes"}"#, "mirror.noise", #"expected true or false, got "yes""#),
        .top(#"{"pool": "canary", "percent": 5, "max_body_bytes": "64k"}"#, "mirror.max_body_bytes",
             #"expected an integer number of bytes, got "64k""#),
        .route(#"{"pool": "canary", "percent": 5, "max_in_flight": 1.5}"#, "routes[2].mirror.max_in_flight", "expected an integer, got 1.5"),
        .route(#"{"pool": "canary", "percent": 5, "compare_body_bytes": true}"#, "routes[2].mirror.compare_body_bytes",
               "expected an integer number of bytes, got true"),
        .route(#"{"pool": 5, "percent": 5}"#, "routes[2].mirror.pool", "expected a pool name, got 5"),
        .route("5", "routes[2].mirror", #"expected null or an object such as {"pool": "green", "percent": 5}, got 5"#),
        .route("false", "routes[2].mirror", #"expected null or an object such as {"pool": "green", "percent": 5}, got false"#),
    ]

    @Test(arguments: errorCases) func eachErrorNamesItsPathAndWhatToDo(_ row: ErrorCase) {
        let found = errors(of: document(row.changes))
        #expect(found == [ConfigError(path: row.path, message: row.message)])
    }

    /// A route accepts `mirror`, and a mirror block knows exactly its eight keys.
    @Test func theKeysAreTheOnesOfSpec10() {
        #expect(ConfigDecoder.routeKeys.contains("mirror"))
        #expect(ConfigDecoder.mirrorKeys.sorted() == ["compare", "compare_body_bytes", "max_body_bytes", "max_in_flight",
                                                      "methods", "noise", "percent", "pool"])
    }
}
