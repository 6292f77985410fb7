import Testing
import TurnoutLoad
import TurnoutPosix

/// Thousands of connections at once against an in-process proxy, driven by the soak client
/// that `turnout-bench soak` uses: slowloris heads must be cut at the header timeout while every
/// normal keep-alive client keeps being answered.
@Suite struct SoakEndToEndTests {
    /// The header timeout under test: short, so each slowloris connection is cut a few times.
    static let headerTimeoutMs = 1_000

    /// 1,000 slowloris connections trickling a byte every 200 ms and 1,000 keep-alive clients
    /// sending a request every 250 ms, all held at once for 3.5 s. No normal request may fail or
    /// wait its turn behind the slow heads, and every slowloris connection is closed by the proxy
    /// no sooner than the header timeout and not much later.
    @Test(.timeLimit(.minutes(1)))
    func slowlorisConnectionsAreCutWhileNormalClientsAreServed() throws {
        // Each connection costs a descriptor in the client and one in the proxy, and a normal
        // one may hold an upstream connection on both sides of the in-process fixture: about
        // 2 + 4 per pair. The soft limit goes up to the hard one; if even that is short, the
        // counts shrink to fit rather than fail for want of descriptors.
        let limit = ProcessResources.raiseDescriptorLimit()
        let wanted = 1_000
        let each = min(wanted, max(50, (limit - 512) / 6))
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#,
            extra: #""timeouts": { "client_header_ms": \#(Self.headerTimeoutMs) }"#))
        defer { proxy.stop() }

        var plan = try #require(SoakPlan(host: "127.0.0.1", port: proxy.port, slowloris: each, idle: 0, fast: each))
        plan.trickleInterval = 200_000_000
        plan.fastPause = 250_000_000
        plan.timeout = 5_000_000_000
        var mostHeld = 0
        let result = try SoakRunner.run(plan, seconds: 3.5) { held, _ in mostHeld = max(mostHeld, held.total) }
        let tally = result.tally

        #expect(result.complete, "a soak thread did not answer")
        // All 2,000 were connected at the same moment at least once (one thread: exact).
        #expect(tally.peakHeldTotal == 2 * each, "at most \(tally.peakHeldTotal) of \(2 * each) held at once")
        #expect(tally[.fast].errors == 0 && tally[.slowloris].errors == 0, "connect errors: \(tally.kinds)")

        // Normal clients: every request answered 200, and every one of them served repeatedly.
        #expect(tally.fastFailures == 0, "non-200 \(tally.fastNon200), resets \(tally.fastResets), timeouts \(tally.fastTimeouts)")
        #expect(tally[.fast].closedByProxy == 0)
        #expect(tally.fastFewestCompleted >= 3, "a normal client got only \(tally.fastFewestCompleted) answers in 3.5 s")
        #expect(tally.fastCompleted >= 3 * each)

        // Slowloris: each was cut at least once, answered 408, after the header timeout and
        // within it plus the first byte's delay (at most 200 ms) and some slack for a debug build.
        #expect(tally[.slowloris].closedByProxy >= each, "only \(tally[.slowloris].closedByProxy) slowloris closes")
        #expect(tally.slowloris408 >= tally[.slowloris].closedByProxy * 9 / 10, "\(tally.slowloris408) 408s")
        let heldFor = tally.slowlorisHeldFor
        let timeout = UInt64(Self.headerTimeoutMs) * 1_000_000
        #expect((heldFor.min ?? 0) >= timeout - 20_000_000, "a slowloris connection was closed after \(heldFor.min ?? 0) ns")
        #expect((heldFor.max ?? .max) <= timeout + 1_500_000_000, "a slowloris connection was held \(heldFor.max ?? 0) ns")
    }
}
