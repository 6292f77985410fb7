import Glibc
import Synchronization
import TurnoutConfig
import TurnoutPosix

/// Why a `Notifier` could not be created.
public struct NotifierError: Error, CustomStringConvertible {
    public let description: String
}

/// Delivers every history entry to the configured webhooks and command (SPEC §14) without ever
/// making the caller wait: `enqueue` puts the entry's JSON in a bounded queue and returns; a
/// thread of the notifier's own, with its own epoll loop, does the delivering. A webhook gets
/// `POST`s in history order with retries and backoff; the command runs once per entry with the
/// entry on its standard input. A queue that stays full (a receiver down long enough) drops
/// and counts entries rather than grow; `counters` says what happened.
///
/// Call `start()` once, `stop(timeout:)` once when done; `enqueue` works from any thread at any
/// time (before `start` it queues, after `stop` it drops).
public final class Notifier: Sendable {
    private let queue: NotifyQueue
    private let loop: EventLoop
    private let dispatcher: NotifyDispatcher
    private let notice: @Sendable (String) -> Void
    private let lifecycle = Mutex<Lifecycle>(.created)
    /// Signalled by the thread when its loop has returned.
    private let exited = Latch()

    private enum Lifecycle {
        case created
        case running(pthread_t)
        case stopped
    }

    /// Creates the queue, the loop and the sinks (no thread yet). Throws when a webhook's host is
    /// not an IP address or `localhost` (Turnout does not resolve names; neither do its pools),
    /// or when the system refuses a descriptor. `notice` receives one line per event worth an
    /// operator's attention (a webhook failing or recovering, an entry given up, drops, a command
    /// failing), called on the notifier's thread.
    public init(config: NotifyConfig, backoff: Backoff = Backoff(), notice: @escaping @Sendable (String) -> Void) throws {
        var targets: [(WebhookURL, SocketAddress)] = []
        for (i, url) in config.webhooks.enumerated() {
            guard let address = SocketAddress(host: url.host, port: url.port) else {
                throw NotifierError(description: "notify.webhooks[\(i)]: cannot deliver to \(url): its host must be an IP address or localhost (names are not resolved)")
            }
            targets.append((url, address))
        }
        if let command = config.command, command.first?.isEmpty ?? true {
            throw NotifierError(description: "notify.command: the program's path is missing")
        }
        let timeoutMs = max(config.timeoutMs, 1)
        let settings = NotifyDispatcher.Settings(timeoutNanoseconds: UInt64(timeoutMs) * 1_000_000, timeoutMs: timeoutMs,
                                                 attempts: max(config.attempts, 1), backoff: backoff)
        do {
            queue = try NotifyQueue(limit: config.queueLimit, webhooks: config.webhooks.map(\.description))
            // The loop's buffer pool is not used; its smallest buffers keep it cheap.
            loop = try EventLoop(index: 0, bufferSize: 4096)
            dispatcher = NotifyDispatcher(loop: loop, queue: queue, settings: settings, notice: notice)
            try dispatcher.attach(webhooks: targets, command: config.command)
        } catch {
            throw NotifierError(description: "notify: cannot set up the notifier: \(error)")
        }
        self.notice = notice
    }

    deinit {
        // Dropped without `stop`: end the loop without flushing and let the thread go.
        if case .running(let thread) = lifecycle.withLock({ $0 }) {
            queue.close()
            loop.execute { [dispatcher] in dispatcher.abort() }
            pthread_detach(thread)
        }
    }

    /// Starts the notifier's thread. A second call does nothing.
    public func start() {
        lifecycle.withLock { state in
            guard case .created = state else { return }
            let loop = self.loop
            let exited = self.exited
            state = .running(LoopThread.start(name: "turnout-notify") {
                Self.blockBrokenPipe()
                loop.run()
                exited.signal()
            })
        }
    }

    /// Stops accepting entries, delivers what is queued for up to `seconds`, then gives up what is
    /// left (counted in `discardedAtStop`; running commands are killed) and joins the thread.
    /// Returns within about `seconds` whatever the receivers do. A second call does nothing.
    public func stop(timeout seconds: Double) {
        let previous = lifecycle.withLock { state -> Lifecycle in
            defer { state = .stopped }
            return state
        }
        queue.close()
        switch previous {
        case .stopped:
            return
        case .created:
            // Never started: the loop never ran, so this thread may finish it.
            dispatcher.abort()
        case .running(let thread):
            let budget = max(seconds, 0)
            // The deadline fires on the timer wheel up to two ticks late; start giving up that
            // much early so the whole stop fits in `seconds`.
            let margin = min(budget, 0.025)
            let deadline = monotonicNanoseconds() &+ UInt64((budget - margin) * 1e9)
            loop.execute { [dispatcher] in dispatcher.beginStop(deadline: deadline) }
            if exited.wait(seconds: budget + 5) {
                LoopThread.join(thread)
            } else {
                // Only a loop stuck in a system call gets here; do not hang the caller on it.
                notice("notify: the notifier's thread did not stop within \(budget + 5) s; leaving it")
                pthread_detach(thread)
            }
        }
    }

    /// Queues one entry (its JSON bytes) for every webhook and the command. Never blocks: when
    /// `queue_limit` entries are waiting, or after `stop`, the entry is dropped, counted, and the
    /// result is false. Safe from any thread.
    @discardableResult
    public func enqueue(_ entry: [UInt8]) -> Bool {
        queue.enqueue(entry)
    }

    /// A consistent copy of the counters.
    public var counters: NotifierCounters { queue.counters }

    /// The notifier's thread writes to pipes: a command that exits without reading its input
    /// must cost an EPIPE, not the process. The signal is thread-directed, so blocking it here
    /// changes nothing for the rest of the process. (Commands start with an empty mask.)
    private static func blockBrokenPipe() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
