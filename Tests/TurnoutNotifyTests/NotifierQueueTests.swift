import Glibc
import Testing
import TurnoutTestSupport
import TurnoutConfig
import TurnoutNotify
import TurnoutPosix

/// The queue never makes the caller wait: a full queue drops and counts at once, and `stop`
/// keeps its time limit whatever the receivers do.
@Suite struct NotifierQueueTests {
    @Test func aFullQueueDropsAndCountsWithoutWaiting() throws {
        // The receiver accepts and never answers: the first entry holds the webhook for the
        // whole test, so nothing leaves the queue.
        let receiver = try WebhookReceiver(answer: .hang)
        defer { receiver.stop() }
        let notices = NotifierWebhookTests.Notices()
        let notifier = try Notifier(config: NotifierWebhookTests.config(port: receiver.port, timeoutMs: 60_000, queueLimit: 100),
                                    notice: notices.add)
        notifier.start()
        defer { notifier.stop(timeout: 0.5) }

        var accepted = 0
        var slowest: UInt64 = 0
        let entry = NotifierWebhookTests.entry(1)
        let started = monotonicNanoseconds()
        for _ in 0..<10_000 {
            let before = monotonicNanoseconds()
            if notifier.enqueue(entry) { accepted += 1 }
            slowest = max(slowest, monotonicNanoseconds() - before)
        }
        let elapsed = Double(monotonicNanoseconds() - started) / 1e9
        // Generous bounds for a loaded 2-core machine: the real figures are about a millisecond
        // in all and microseconds for the slowest call.
        #expect(elapsed < 2, "10,000 enqueues took \(elapsed) s")
        #expect(slowest < 200_000_000, "the slowest enqueue took \(Double(slowest) / 1e6) ms")
        #expect(accepted == 100)
        let counters = notifier.counters
        #expect(counters.enqueued == 100 && counters.dropped == 9_900 && counters.queued == 100)
        #expect(waitUntil(seconds: 5) { notices.all.contains { $0.contains("queue is full") } }, "notices \(notices.all)")
    }

    @Test func stopReturnsWithinItsTimeoutWhenAWebhookHangs() throws {
        let receiver = try WebhookReceiver(answer: .hang)
        defer { receiver.stop() }
        let notifier = try Notifier(config: NotifierWebhookTests.config(port: receiver.port, timeoutMs: 60_000), notice: { _ in })
        notifier.start()
        for i in 0..<3 { notifier.enqueue(NotifierWebhookTests.entry(i)) }
        #expect(waitUntil(seconds: 5) { receiver.requests.count == 1 })

        let started = monotonicNanoseconds()
        notifier.stop(timeout: 0.3)
        let elapsed = Double(monotonicNanoseconds() - started) / 1e9
        #expect(elapsed < 0.3 + 0.1, "stop(timeout: 0.3) took \(elapsed) s")
        #expect(elapsed > 0.2, "stop gave up after \(elapsed) s instead of trying for its timeout")
        let counters = notifier.counters
        #expect(counters.discardedAtStop == 3 && counters.delivered == 0 && counters.queued == 0)
        // After stop every entry is refused and counted.
        #expect(!notifier.enqueue(NotifierWebhookTests.entry(9)))
        #expect(notifier.counters.dropped == 1)
    }

    @Test func stopFlushesWhatIsQueued() throws {
        let receiver = try WebhookReceiver(answer: .status(200))
        defer { receiver.stop() }
        let notifier = try Notifier(config: NotifierWebhookTests.config(port: receiver.port), notice: { _ in })
        notifier.start()
        for i in 0..<50 { notifier.enqueue(NotifierWebhookTests.entry(i)) }
        notifier.stop(timeout: 10)
        #expect(receiver.requests.map(\.body) == (0..<50).map(NotifierWebhookTests.entry))
        let counters = notifier.counters
        #expect(counters.delivered == 50 && counters.discardedAtStop == 0 && counters.queued == 0)
    }

    @Test func aNotifierNeverStartedDiscardsItsQueueAtStop() throws {
        let notifier = try Notifier(config: NotifierWebhookTests.config(port: 9), notice: { _ in })
        notifier.enqueue(NotifierWebhookTests.entry(0))
        notifier.enqueue(NotifierWebhookTests.entry(1))
        notifier.stop(timeout: 1)
        let counters = notifier.counters
        #expect(counters.enqueued == 2 && counters.discardedAtStop == 2 && counters.queued == 0)
    }

    @Test func withNoSinkEntriesAreFinishedAtOnce() throws {
        let notifier = try Notifier(config: NotifyConfig(queueLimit: 3), notice: { _ in })
        notifier.start()
        defer { notifier.stop(timeout: 1) }
        for i in 0..<10 {
            #expect(waitUntil(seconds: 5) { notifier.counters.queued < 3 })
            #expect(notifier.enqueue(NotifierWebhookTests.entry(i)))
        }
        #expect(waitUntil(seconds: 5) { notifier.counters.queued == 0 })
        #expect(notifier.counters.enqueued == 10)
    }
}
