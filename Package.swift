// swift-tools-version:6.0
// Turnout: a traffic-splitting HTTP/1.1 reverse proxy. The Swift toolchain only; no package
// dependencies. The dependency arrows point down: Core knows Posix, HTTP, Metrics and Config;
// none of those know Core.
import PackageDescription

/// The data path's modules drop the run-time exclusivity checks in release builds: in the
/// keep-alive benchmark `swift_beginAccess` and its bookkeeping took about 5 % of the worker's CPU,
/// and removing them cut CPU per request from 21.7 to 20.5 µs in an A/B run
/// (Benchmarks/compare/turnout-ab.sh). Debug builds, which run the tests, keep every check, and
/// the compiler's static checks apply in both.
let dataPathSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]


let package = Package(
    name: "Turnout",
    products: [
        .executable(name: "turnout", targets: ["turnout"]),
        .executable(name: "turnout-bench", targets: ["turnout-bench"]),
    ],
    targets: [
        // System headers the Glibc module does not export (epoll, eventfd, timerfd) and
        // one-line shims for GNU-only calls.
        .target(name: "CTurnoutSys"),
        // Syscalls, sockets, addresses, the epoll event loop, timer wheel, inbox, buffers.
        .target(name: "TurnoutPosix", dependencies: ["CTurnoutSys"], swiftSettings: dataPathSettings),
        // Pure HTTP/1.1 codec over raw bytes.
        .target(name: "TurnoutHTTP", swiftSettings: dataPathSettings),
        // HDR histograms and counters.
        .target(name: "TurnoutMetrics"),
        // The canary analyzer's statistics: pure functions, no I/O.
        .target(name: "TurnoutAnalysis", dependencies: ["TurnoutMetrics"]),
        // The rollout state machine: a plan, its steps and the analyzer; time and looks in, weight
        // changes out. Pure, so the controller, the tests and the simulator share it.
        .target(name: "TurnoutRollout", dependencies: ["TurnoutAnalysis"]),
        // Shadow traffic's pure half (SPEC §10): body digests, the comparison of a shadow's answer
        // with the primary's, mismatch records and the per-route counts. No I/O.
        .target(name: "TurnoutMirror", dependencies: ["TurnoutMetrics"], swiftSettings: dataPathSettings),
        // Configuration model, strict JSON decoding, validation (Foundation lives here). It decodes
        // rollout templates and the `analysis` block straight into TurnoutRollout's plan and settings,
        // so a release is described by one set of types, which the controller, `ctl` and the state
        // file share. No cycle: TurnoutRollout needs only TurnoutAnalysis and TurnoutMetrics, all pure.
        .target(name: "TurnoutConfig", dependencies: ["TurnoutRollout"]),
        // Routing, upstream pools, the proxy state machines and the runtime wiring.
        .target(name: "TurnoutCore", dependencies: ["TurnoutPosix", "TurnoutHTTP", "TurnoutMetrics", "TurnoutConfig", "TurnoutMirror"],
                swiftSettings: dataPathSettings),
        // The fixture upstream used by tests, `turnout demo` and `turnout-bench upstream`.
        .target(name: "TurnoutFixture", dependencies: ["TurnoutPosix", "TurnoutHTTP"]),
        // Notifications (SPEC §14): history entries POSTed to webhooks and fed to a command, from a
        // bounded queue on a thread of their own; the caller never waits.
        .target(name: "TurnoutNotify", dependencies: ["TurnoutPosix", "TurnoutHTTP", "TurnoutConfig", "CTurnoutSys"]),
        // The admin API's transport: HTTP/1.1 on a Unix socket (0600) and optional TCP, served by
        // its own loop with Turnout's codec; bearer tokens; the blocking client `ctl` uses.
        .target(name: "TurnoutAdmin", dependencies: ["TurnoutPosix", "TurnoutHTTP"]),
        // The etcd client: the v3 JSON gateway's pure codec, and a blocking HTTP/1.1 transport with
        // failover and one deadline per call (off the data path).
        .target(name: "TurnoutEtcd", dependencies: ["TurnoutPosix", "TurnoutHTTP"]),
        // The control plane: runtime weights, switches, rollbacks, drains, reloads, the state
        // file, the history, and the admin API's endpoints (Foundation for JSON, off the data path).
        // The dashboard's page, style and script are real files compiled in (still one binary).
        .target(name: "TurnoutControl", dependencies: ["TurnoutCore", "TurnoutConfig", "TurnoutAdmin", "TurnoutMetrics", "TurnoutPosix",
                                                        "TurnoutAnalysis", "TurnoutRollout", "TurnoutNotify", "TurnoutMirror", "TurnoutEtcd"],
                resources: ["page.html", "style.css", "charts.js", "mirror.js", "fleet.js", "guard.js", "rendering.js"].map { .embedInCode("Dashboard/" + $0) }),
        .executableTarget(name: "turnout", dependencies: ["TurnoutCore", "TurnoutConfig", "TurnoutControl", "TurnoutAdmin", "TurnoutFixture", "TurnoutRollout",
                                                   "TurnoutEtcd"]),

        // Benchmarks: the rollout simulator and the `turnout-bench` tool.
        .target(name: "TurnoutSimulation", dependencies: ["TurnoutAnalysis", "TurnoutRollout", "TurnoutMetrics"], path: "Benchmarks/Simulation"),
        // The soak's non-blocking load client (slowloris, idle and fast connections on epoll
        // loops); `turnout-bench soak` and the end-to-end tests both drive it.
        .target(name: "TurnoutLoad", dependencies: ["TurnoutPosix", "TurnoutHTTP", "TurnoutMetrics"], path: "Benchmarks/Load"),
        // Counts heap allocations per thread by standing in for malloc; linked into turnout-bench only.
        .target(name: "CTurnoutAllocCounter", path: "Benchmarks/AllocCounter"),
        .executableTarget(name: "turnout-bench", dependencies: ["TurnoutFixture", "TurnoutSimulation", "TurnoutPosix", "TurnoutHTTP", "TurnoutMetrics",
                                                       "TurnoutCore", "TurnoutConfig", "TurnoutControl", "TurnoutAdmin", "TurnoutEtcd",
                                                       "CTurnoutAllocCounter", "CTurnoutSys", "TurnoutLoad"], path: "Benchmarks/turnout-bench"),

        .testTarget(name: "TurnoutPosixTests", dependencies: ["TurnoutPosix"]),
        .testTarget(name: "TurnoutHTTPTests", dependencies: ["TurnoutHTTP"]),
        // Test helpers more than one test target needs (a strict Prometheus parser, a webhook
        // receiver, a real etcd cluster on loopback).
        .target(name: "TurnoutTestSupport", dependencies: ["TurnoutPosix", "CTurnoutSys"], path: "Tests/TurnoutTestSupport"),
        .testTarget(name: "TurnoutMetricsTests", dependencies: ["TurnoutMetrics", "TurnoutTestSupport"]),
        .testTarget(name: "TurnoutAnalysisTests", dependencies: ["TurnoutAnalysis", "TurnoutMetrics"]),
        // StateFiles/ holds rollouts as an earlier Turnout saved them, read by path (not built).
        .testTarget(name: "TurnoutRolloutTests", dependencies: ["TurnoutRollout", "TurnoutAnalysis", "TurnoutSimulation"], exclude: ["StateFiles"]),
        .testTarget(name: "TurnoutConfigTests", dependencies: ["TurnoutConfig", "TurnoutRollout"]),
        .testTarget(name: "TurnoutMirrorTests", dependencies: ["TurnoutMirror", "TurnoutMetrics"]),
        .testTarget(name: "TurnoutEtcdTests", dependencies: ["TurnoutEtcd", "TurnoutTestSupport", "TurnoutPosix"]),
        .testTarget(name: "TurnoutNotifyTests", dependencies: ["TurnoutNotify", "TurnoutConfig", "TurnoutPosix", "TurnoutTestSupport"]),
        .testTarget(name: "TurnoutFixtureTests", dependencies: ["TurnoutFixture", "TurnoutPosix"]),
        .testTarget(name: "TurnoutCoreTests", dependencies: ["TurnoutCore", "TurnoutHTTP", "TurnoutConfig"]),
        .testTarget(name: "TurnoutEndToEndTests", dependencies: ["TurnoutCore", "TurnoutConfig", "TurnoutControl", "TurnoutAdmin", "TurnoutFixture", "TurnoutPosix", "TurnoutHTTP",
                                                                 "TurnoutMetrics", "TurnoutTestSupport", "TurnoutLoad", "TurnoutMirror", "TurnoutRollout"]),
    ]
)
