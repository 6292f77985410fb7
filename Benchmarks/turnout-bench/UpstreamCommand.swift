import Glibc
import TurnoutFixture

/// `turnout-bench upstream`: runs a fixture upstream in the foreground until SIGINT or SIGTERM,
/// for load tests of Turnout (or nginx, or HAProxy) against a server whose cost is known.
enum UpstreamCommand {
    static let usage = """
          upstream --listen HOST:PORT [--name NAME] [--threads N] [--latency-ms MS] [--jitter-ms MS]
                   [--error-rate R] [--body-bytes N] [--body-name NAME] [--diverge-prefix PATH]
                   serve the fixture upstream (answers with NAME; see TurnoutFixture for its routes);
                   --body-name: what the body says instead of NAME (a shadow answering like the
                   primary); --diverge-prefix: paths starting with PATH answer "<body> (diverged)",
                   and with a 500 when they end in /status (a new version that differs there);
                   change its behaviour while it runs, on its own port:
                     curl -X POST 'http://HOST:PORT/_fixture?error_rate=0.2&latency_ms=50'
                   (any of latency_ms, jitter_ms, error_rate, body_bytes, body_name, diverge_prefix;
                   GET /_fixture shows it; GET /_fixture/counts the connections and responses so far)

        """

    static func run(arguments: [String]) -> Int32 {
        var options = BenchOptions(arguments)
        do {
            let listen = try options.required("--listen")
            let name = options.value("--name") ?? "fixture"
            let threads = try options.integer("--threads", default: 1, in: 1...256)
            let behavior = FixtureBehavior(
                latencyMs: try options.integer("--latency-ms", default: 0, in: 0...3_600_000),
                jitterMs: try options.integer("--jitter-ms", default: 0, in: 0...3_600_000),
                errorRate: try options.fraction("--error-rate", default: 0),
                bodyBytes: try options.optionalInteger("--body-bytes", in: 0...(1 << 30)),
                bodyName: try checked(options.value("--body-name"), "--body-name", FixtureBehavior.bodyNameProblem),
                divergePrefix: try checked(options.value("--diverge-prefix"), "--diverge-prefix", FixtureBehavior.divergePrefixProblem))
            try options.expectEmpty()
            guard let colon = listen.lastIndex(of: ":"), let port = UInt16(listen[listen.index(after: colon)...]) else {
                throw BenchUsageError("--listen expects HOST:PORT, got \"\(listen)\"")
            }
            let host = String(listen[..<colon]).trimmingCharacters(in: "[]")
            // Signals are blocked before the loop threads start, so only sigwait sees them.
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGINT)
            sigaddset(&signals, SIGTERM)
            pthread_sigmask(SIG_BLOCK, &signals, nil)
            let upstream = try FixtureUpstream(name: name, host: host, port: port, threads: threads, behavior: behavior)
            upstream.start()
            writeStandardError("turnout-bench upstream \(name): listening on \(upstream.address) with \(threads) threads\n")
            var received: Int32 = 0
            sigwait(&signals, &received)
            upstream.stop()
            writeStandardError("turnout-bench upstream \(name): stopped after \(upstream.requestsServed) responses on \(upstream.acceptedConnections) connections\n")
            return 0
        } catch {
            writeStandardError("turnout-bench upstream: \(error)\n")
            return 1
        }
    }

    /// `value` when absent or acceptable to `problem`; otherwise a usage error naming `flag`.
    private static func checked(_ value: String?, _ flag: String, _ problem: (String) -> String?) throws -> String? {
        guard let value else { return nil }
        if let text = problem(value) { throw BenchUsageError("\(flag): \(text)") }
        return value
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
