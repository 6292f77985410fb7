import Glibc
import TurnoutConfig
import TurnoutHTTP
import TurnoutPosix

/// Delivers entries to one webhook, one request at a time and in history order: an entry is
/// retried (its successors wait behind it, so the receiver never sees them out of order) until
/// a 2xx answers it or `attempts` fail, then it is abandoned and counted.
///
/// Each attempt is a fresh non-blocking connection carrying one `POST` with `Connection: close`:
/// notifications come seconds apart, so a kept-alive connection would save nothing and would
/// add a stale-connection case to get wrong. Connect, send and answer share one deadline
/// (`timeout_ms`); retries wait on the loop's timer wheel for the `Backoff`'s delay. The node's
/// one timer means the attempt's deadline while connected and the retry time while waiting.
final class WebhookSender: TimerNode, EventHandler {
    /// Where the current entry is.
    enum Phase {
        /// Nothing in flight; `kick` starts the entry at the cursor if there is one.
        case idle
        /// A non-blocking connect is under way.
        case connecting
        /// The request is partly written.
        case sending
        /// The request is written; reading the answer's head.
        case receiving
        /// The last attempt failed; the timer brings the next one.
        case waitingToRetry
        /// The notifier stopped.
        case stopped
    }

    unowned let dispatcher: NotifyDispatcher
    /// This webhook's place in `NotifierCounters.webhooks`.
    let index: Int
    let url: WebhookURL
    let address: SocketAddress
    /// The request head up to the `Content-Length` value, the same for every entry.
    private let headPrefix: [UInt8]

    /// The sequence number of the entry being delivered (or next to be).
    private(set) var cursor = 0
    private(set) var phase = Phase.idle
    /// Failed attempts of the entry at the cursor.
    private var failures = 0
    /// Whether the last attempt failed: notices say when a webhook fails and when it recovers,
    /// not every failed attempt.
    private var failing = false

    // The attempt in flight.
    private var socket = Socket(adopting: -1)
    private var registration: Registration?
    private var request: [UInt8] = []
    private var written = 0
    private var response: [UInt8] = []
    /// Where the final answer's head starts in `response`, past any 1xx heads.
    private var headStart = 0
    private var parser = ResponseHeadParser(limits: WebhookSender.limits)
    private var head = ResponseHead()
    /// Where reads land before they are appended to `response`.
    private var scratch = [UInt8](repeating: 0, count: 4096)

    /// A receiver's answer head must fit in this; a longer one is garbage for our purposes.
    static let limits = HTTPLimits(maxHeadBytes: 16 * 1024, maxRequestLineBytes: 1024, maxHeaderCount: 64)

    init(dispatcher: NotifyDispatcher, index: Int, url: WebhookURL, address: SocketAddress) {
        self.dispatcher = dispatcher
        self.index = index
        self.url = url
        self.address = address
        headPrefix = WebhookRequest.headPrefix(url: url)
        super.init()
    }

    // MARK: Driving

    /// Starts delivering the entry at the cursor, if the sender is idle and there is one.
    func kick() {
        guard phase == .idle, let entry = dispatcher.entry(cursor) else { return }
        if request.isEmpty { request = WebhookRequest.bytes(prefix: headPrefix, body: entry) }
        written = 0
        do {
            socket = try Socket.connect(to: address)
            registration = try dispatcher.loop.register(descriptor: socket.descriptor, events: EpollEvents.connection, handler: self)
        } catch {
            // Refused at once (loopback does that) or no descriptor left: a failed attempt.
            attemptFailed("cannot connect: \(error)")
            return
        }
        phase = .connecting
        dispatcher.loop.timers.schedule(self, at: monotonicNanoseconds() &+ dispatcher.settings.timeoutNanoseconds)
    }

    func handleEvents(_ events: UInt32) {
        switch phase {
        case .idle:
            // `resumeSoon` after an entry finished: go on with the next one.
            kick()
        case .connecting:
            guard events & (EpollEvents.writable | EpollEvents.error | EpollEvents.hangUp) != 0 else { return }
            if let error = socket.pendingError() {
                attemptFailed("cannot connect: \(error)")
                return
            }
            phase = .sending
            send()
        case .sending:
            send()
        case .receiving:
            receive()
        case .waitingToRetry, .stopped:
            break
        }
    }

    override func timerExpired(now: UInt64) {
        switch phase {
        case .connecting, .sending, .receiving:
            attemptFailed("no answer within \(dispatcher.settings.timeoutMs) ms")
        case .waitingToRetry:
            phase = .idle
            kick()
        case .idle, .stopped:
            break
        }
    }

    // MARK: The exchange

    /// Writes what is left of the request; once it is all out, reads the answer.
    private func send() {
        while written < request.count {
            let result = request.withUnsafeBytes { socket.write($0.baseAddress! + written, count: $0.count - written) }
            switch result {
            case .bytes(let n): written += n
            case .wouldBlock: return
            case .endOfFile:
                attemptFailed("cannot send: the connection closed")
                return
            case .failed(let error):
                attemptFailed("cannot send: \(error)")
                return
            }
        }
        phase = .receiving
        receive()
    }

    /// Reads until the answer's head is complete, the socket is drained, or the peer is gone.
    private func receive() {
        while phase == .receiving {
            let result = scratch.withUnsafeMutableBytes { raw -> IOResult in
                let result = socket.read(into: raw.baseAddress!, count: raw.count)
                if case .bytes(let n) = result { response.append(contentsOf: raw[0..<n]) }
                return result
            }
            switch result {
            case .bytes:
                examine(atEndOfFile: false)
            case .wouldBlock:
                return
            case .endOfFile:
                examine(atEndOfFile: true)
                return
            case .failed(let error):
                attemptFailed("connection failed before an answer: \(error)")
                return
            }
        }
    }

    /// Parses what has arrived: a complete final head decides the attempt.
    private func examine(atEndOfFile: Bool) {
        while phase == .receiving {
            let result = response.withUnsafeBytes { raw in
                parser.parse(UnsafeRawBufferPointer(rebasing: raw[headStart...]), requestMethod: .post, into: &head)
            }
            switch result {
            case .needMore:
                if atEndOfFile { attemptFailed("closed the connection before a complete answer") }
                return
            case .failed(let error):
                attemptFailed("answered with a malformed response (\(error.message))")
                return
            case .complete:
                // An interim answer (100, 103) is followed by the real one.
                if head.isInformational && head.status != 101 {
                    headStart += head.headLength
                    parser.reset()
                    continue
                }
                if head.status >= 200 && head.status < 300 {
                    delivered()
                } else {
                    attemptFailed("answered \(head.status)")
                }
                return
            }
        }
    }

    // MARK: Outcomes

    /// A 2xx: the entry is delivered; on to the next.
    private func delivered() {
        closeConnection()
        let index = self.index
        dispatcher.count { counters in
            counters.delivered += 1
            counters.webhooks[index].delivered += 1
        }
        if failing {
            failing = false
            dispatcher.notice("notify: webhook \(url) answers again")
        }
        advance()
    }

    /// One attempt failed: retry after the backoff, or give the entry up after `attempts`.
    private func attemptFailed(_ reason: String) {
        closeConnection()
        failures += 1
        let index = self.index
        let settings = dispatcher.settings
        let abandon = failures >= settings.attempts
        dispatcher.count { counters in
            counters.failedAttempts += 1
            counters.webhooks[index].failedAttempts += 1
            if abandon {
                counters.abandoned += 1
                counters.webhooks[index].abandoned += 1
            }
        }
        if abandon {
            failing = true
            dispatcher.notice("notify: webhook \(url): \(reason); gave up on an entry after \(failures) attempts")
            advance()
            return
        }
        if !failing {
            failing = true
            dispatcher.notice("notify: webhook \(url): \(reason); retrying")
        }
        let delay = settings.backoff.delayMs(afterFailures: failures, unit: Double.random(in: 0..<1))
        phase = .waitingToRetry
        dispatcher.loop.timers.schedule(self, at: monotonicNanoseconds() &+ UInt64(delay) &* 1_000_000)
    }

    /// The entry at the cursor is finished (delivered or abandoned).
    private func advance() {
        cursor += 1
        failures = 0
        request = []
        phase = .idle
        dispatcher.advanced()
        // The next entry starts from the loop, not from here: a run of entries that fail at
        // once (connect refused, one attempt each) must not recurse.
        if phase == .idle { dispatcher.loop.resumeSoon(self, events: 0) }
    }

    /// Closes the attempt's connection, if any, and forgets its bytes (not the request).
    private func closeConnection() {
        dispatcher.loop.timers.cancel(self)
        if let registration {
            dispatcher.loop.deregister(descriptor: socket.descriptor, registration: registration)
            self.registration = nil
        }
        socket.close()
        response.removeAll(keepingCapacity: true)
        headStart = 0
        parser.reset()
    }

    /// The notifier stops: closes everything and returns how many entries were still to go
    /// (the one in flight included). `end` is the sequence number after the last entry.
    func shutdown(end: Int) -> Int {
        guard phase != .stopped else { return 0 }
        closeConnection()
        dispatcher.loop.timers.remove(self)
        phase = .stopped
        let pending = max(end - cursor, 0)
        cursor = end
        return pending
    }
}
