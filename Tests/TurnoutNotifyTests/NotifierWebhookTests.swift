import Glibc
import Synchronization
import Testing
import TurnoutTestSupport
import TurnoutConfig
import TurnoutNotify
import TurnoutPosix

/// Webhook delivery over real loopback sockets: order, bytes and headers, retries until a late
/// receiver comes up, abandonment after `attempts`, and how answers are judged.
@Suite struct NotifierWebhookTests {
    /// Collects the notifier's notices for the failure messages of the tests.
    final class Notices: @unchecked Sendable {
        private let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    static func entry(_ i: Int) -> [UInt8] {
        Array("{\"seq\":\(i),\"action\":\"weights\",\"split\":\"web\",\"note\":\"caf\u{e9} \\\"quoted\\\"\"}".utf8)
    }

    static func config(port: UInt16, path: String = "/hooks/turnout?team=web", timeoutMs: Int = 2_000,
                       queueLimit: Int = 1_000, attempts: Int = 5) -> NotifyConfig {
        NotifyConfig(webhooks: [WebhookURL("http://127.0.0.1:\(port)\(path)")!], timeoutMs: timeoutMs,
                     queueLimit: queueLimit, attempts: attempts)
    }

    @Test func entriesArriveInOrderWithTheirBytesAndHeaders() throws {
        let receiver = try WebhookReceiver(answer: .status(200))
        defer { receiver.stop() }
        let notices = Notices()
        let notifier = try Notifier(config: Self.config(port: receiver.port), notice: notices.add)
        notifier.start()
        defer { notifier.stop(timeout: 1) }
        for i in 0..<20 { #expect(notifier.enqueue(Self.entry(i))) }

        #expect(waitUntil(seconds: 10) { receiver.requests.count == 20 }, "received \(receiver.requests.count); notices: \(notices.all)")
        let requests = receiver.requests
        #expect(requests.map(\.body) == (0..<20).map(Self.entry))
        for request in requests {
            #expect(request.method == "POST")
            #expect(request.target == "/hooks/turnout?team=web")
            #expect(request.headers["host"] == "127.0.0.1:\(receiver.port)")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["content-length"] == String(request.body.count))
            #expect(request.headers["user-agent"] == "turnout")
        }
        #expect(waitUntil(seconds: 5) { notifier.counters.queued == 0 })
        let counters = notifier.counters
        #expect(counters.enqueued == 20 && counters.delivered == 20 && counters.failedAttempts == 0 && counters.dropped == 0)
        var expected = WebhookCounters(url: "http://127.0.0.1:\(receiver.port)/hooks/turnout?team=web")
        expected.delivered = 20
        #expect(counters.webhooks == [expected])
        #expect(notices.all.isEmpty)
    }

    @Test func aReceiverThatComesUpLateGetsEveryEntryInOrder() throws {
        let receiver = try WebhookReceiver(answer: .status(204), listening: false)
        defer { receiver.stop() }
        let notices = Notices()
        let notifier = try Notifier(config: Self.config(port: receiver.port, attempts: 100),
                                    backoff: Backoff(baseMs: 20, capMs: 80), notice: notices.add)
        notifier.start()
        defer { notifier.stop(timeout: 1) }
        for i in 0..<5 { notifier.enqueue(Self.entry(i)) }

        // Refused a few times (the port is bound, nobody listens), then the receiver comes up.
        #expect(waitUntil(seconds: 10) { notifier.counters.failedAttempts >= 3 })
        #expect(receiver.accepted == 0)
        receiver.listen()
        #expect(waitUntil(seconds: 10) { notifier.counters.delivered == 5 }, "counters \(notifier.counters); notices \(notices.all)")
        #expect(receiver.requests.map(\.body) == (0..<5).map(Self.entry))
        let counters = notifier.counters
        #expect(counters.abandoned == 0 && counters.failedAttempts >= 3)
        #expect(notices.all.first?.contains("ECONNREFUSED") == true)
        #expect(notices.all.last?.contains("answers again") == true)
    }

    @Test func aReceiverThatAnswers500IsAbandonedAfterAttempts() throws {
        let receiver = try WebhookReceiver(answer: .status(500))
        defer { receiver.stop() }
        let notices = Notices()
        let notifier = try Notifier(config: Self.config(port: receiver.port, attempts: 3),
                                    backoff: Backoff(baseMs: 10, capMs: 20), notice: notices.add)
        notifier.start()
        defer { notifier.stop(timeout: 1) }
        for i in 0..<4 { notifier.enqueue(Self.entry(i)) }

        #expect(waitUntil(seconds: 10) { notifier.counters.abandoned == 4 }, "counters \(notifier.counters)")
        let counters = notifier.counters
        #expect(counters.failedAttempts == 12 && counters.delivered == 0 && counters.webhooks[0].abandoned == 4)
        #expect(waitUntil(seconds: 5) { notifier.counters.queued == 0 })
        // Each entry three times, the next only after the previous was given up.
        #expect(receiver.requests.map(\.body) == (0..<4).flatMap { Array(repeating: Self.entry($0), count: 3) })
        #expect(notices.all.filter { $0.contains("gave up") }.count == 4)
        #expect(notices.all.contains { $0.contains("answered 500") })
    }

    @Test(arguments: [
        ("HTTP/1.1 204 No Content\r\n\r\n", true),
        ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok", true),
        ("HTTP/1.0 299 Odd\r\n\r\n", true),
        ("HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n", false),
        ("garbage\r\n\r\n", false),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false),
        ("HTTP/1.1 200 OK\r\nContent-Le", false),
        ("", false),
    ])
    func answersAreJudgedStrictly(answer: String, delivered: Bool) throws {
        let receiver = try WebhookReceiver(answer: .raw(Array(answer.utf8)))
        defer { receiver.stop() }
        let notifier = try Notifier(config: Self.config(port: receiver.port, attempts: 1), notice: { _ in })
        notifier.start()
        defer { notifier.stop(timeout: 1) }
        notifier.enqueue(Self.entry(0))
        #expect(waitUntil(seconds: 10) { notifier.counters.delivered + notifier.counters.abandoned == 1 })
        let counters = notifier.counters
        #expect(counters.delivered == (delivered ? 1 : 0))
        #expect(counters.failedAttempts == (delivered ? 0 : 1))
    }

    @Test func aWebhookThatNeverAnswersTimesOutAndIsRetried() throws {
        let receiver = try WebhookReceiver(answer: .hang)
        defer { receiver.stop() }
        let notices = Notices()
        let notifier = try Notifier(config: Self.config(port: receiver.port, timeoutMs: 100, attempts: 2),
                                    backoff: Backoff(baseMs: 10, capMs: 10), notice: notices.add)
        notifier.start()
        defer { notifier.stop(timeout: 1) }
        let started = monotonicNanoseconds()
        notifier.enqueue(Self.entry(0))
        #expect(waitUntil(seconds: 10) { notifier.counters.abandoned == 1 })
        let elapsed = Double(monotonicNanoseconds() - started) / 1e9
        #expect(elapsed >= 0.19, "two attempts of 100 ms took \(elapsed) s")
        #expect(receiver.accepted == 2)
        #expect(notices.all.contains { $0.contains("no answer within 100 ms") })
    }

    @Test func aHostNameIsRefusedAtCreation() throws {
        let config = NotifyConfig(webhooks: [WebhookURL("http://hooks.example.com/x")!])
        #expect(throws: NotifierError.self) { try Notifier(config: config, notice: { _ in }) }
    }
}
