import TurnoutConfig
import TurnoutPosix

/// The notifier's side of the queue, on its own loop: it takes entries from `NotifyQueue` in
/// history order, keeps each until every sink is done with it, and lets each sink (every
/// webhook, the command) go through them at its own pace. A webhook that is down holds back only
/// its own deliveries; the entries it has not finished hold their places in the queue, which is
/// how a receiver that stays unreachable ends in drops rather than unbounded memory.
///
/// Everything here runs on the loop's thread (or before it starts), hence `@unchecked Sendable`:
/// the reference crosses threads only to post jobs to the loop. Its one timer is the deadline of
/// a `stop`.
final class NotifyDispatcher: TimerNode, EventHandler, @unchecked Sendable {
    let loop: EventLoop
    let queue: NotifyQueue
    let notice: @Sendable (String) -> Void
    let settings: Settings
    private(set) var webhooks: [WebhookSender] = []
    private(set) var command: CommandSender?

    /// What every sink needs from the configuration, resolved once.
    struct Settings {
        /// One delivery's time limit (a webhook's connect and answer, a command's run).
        var timeoutNanoseconds: UInt64
        var timeoutMs: Int
        /// Attempts per webhook delivery.
        var attempts: Int
        var backoff: Backoff
    }

    /// Entries taken from the queue and not yet finished by every sink; `entries[head]` has
    /// sequence number `base`.
    private var entries: [[UInt8]] = []
    private var head = 0
    private var base = 0
    /// Drops already reported through `notice`.
    private var droppedNoticed: UInt64 = 0
    private var registration: Registration?
    /// `stop` is flushing: the loop ends once every sink is idle, or at the deadline.
    private var stopping = false
    private var finished = false

    init(loop: EventLoop, queue: NotifyQueue, settings: Settings, notice: @escaping @Sendable (String) -> Void) {
        self.loop = loop
        self.queue = queue
        self.settings = settings
        self.notice = notice
        super.init()
    }

    /// Creates the sinks and registers the queue's eventfd; before the loop runs.
    func attach(webhooks targets: [(WebhookURL, SocketAddress)], command argv: [String]?) throws(Errno) {
        webhooks = targets.enumerated().map { i, target in
            WebhookSender(dispatcher: self, index: i, url: target.0, address: target.1)
        }
        if let argv { command = CommandSender(dispatcher: self, argv: argv) }
        registration = try loop.register(descriptor: queue.eventDescriptor,
                                         events: EpollEvents.readable | EpollEvents.edgeTriggered, handler: self)
    }

    // MARK: Entries

    /// The sequence number the next entry taken will have.
    var end: Int { base + entries.count - head }

    /// The entry with sequence number `sequence`, if it was taken and is not finished.
    func entry(_ sequence: Int) -> [UInt8]? {
        guard sequence >= base, sequence < end else { return nil }
        return entries[head + sequence - base]
    }

    /// The queue's eventfd fired: new entries (or a first drop) wait.
    func handleEvents(_ events: UInt32) {
        queue.acknowledge()
        admit()
    }

    /// Takes the waiting entries and hands them to every sink.
    private func admit() {
        guard !finished else { return }
        let (taken, dropped) = queue.take()
        if dropped > droppedNoticed {
            notice("notify: the queue is full (\(queue.limit) entries waiting): \(dropped) entries dropped so far; a webhook or the command is not keeping up")
            droppedNoticed = dropped
        }
        guard !taken.isEmpty else { return }
        entries.append(contentsOf: taken)
        for webhook in webhooks { webhook.kick() }
        command?.kick()
        // With no sink at all, an entry is finished as soon as it arrives.
        advanced()
    }

    /// A sink moved its cursor or finished a run: entries every sink is done with leave, and a
    /// flushing `stop` ends once nothing is left.
    func advanced() {
        var lowest = end
        for webhook in webhooks { lowest = min(lowest, webhook.cursor) }
        if let command { lowest = min(lowest, command.cursor) }
        let done = lowest - base
        if done > 0 {
            head += done
            base = lowest
            queue.finished(done)
            // Compact once the dead prefix is the larger part, so the array stays small.
            if head >= 64 && head * 2 >= entries.count {
                entries.removeFirst(head)
                head = 0
            }
        }
        if stopping && isIdle { finish() }
    }

    /// No sink has anything left to do.
    private var isIdle: Bool {
        webhooks.allSatisfy { $0.cursor == end } && (command.map { $0.cursor == end && $0.runningCount == 0 } ?? true)
    }

    // MARK: Counters

    /// Updates the shared counters (one lock; deliveries are rare).
    func count(_ body: (inout NotifierCounters) -> Void) { queue.update(body) }

    // MARK: Stopping

    /// `stop` began: the queue is closed; deliver what is left until the sinks are idle or until
    /// `deadline`, whichever comes first.
    func beginStop(deadline: UInt64) {
        guard !finished else { return }
        stopping = true
        admit()
        if isIdle {
            finish()
        } else {
            loop.timers.schedule(self, at: deadline)
        }
    }

    /// The stop's deadline passed: whatever is still pending is given up and counted.
    override func timerExpired(now: UInt64) { abort() }

    /// Gives up every pending delivery now: connections closed, commands killed.
    func abort() {
        guard !finished else { return }
        // Entries still in the queue count as pending for every sink too.
        entries.append(contentsOf: queue.take().entries)
        var discarded: UInt64 = 0
        for webhook in webhooks { discarded += UInt64(webhook.shutdown(end: end)) }
        if let command { discarded += UInt64(command.shutdown(end: end)) }
        if discarded > 0 {
            count { $0.discardedAtStop += discarded }
            notice("notify: stopped with \(discarded) deliveries still pending; they were given up")
        }
        finish()
    }

    /// Releases the entries, leaves the loop. Idempotent.
    private func finish() {
        guard !finished else { return }
        finished = true
        // Whatever arrived after the last look is given up too (the queue is closed by now).
        let (late, _) = queue.take()
        queue.finished(entries.count - head + late.count)
        entries = []
        head = 0
        loop.timers.remove(self)
        if let registration {
            loop.deregister(descriptor: queue.eventDescriptor, registration: registration)
            self.registration = nil
        }
        for webhook in webhooks { _ = webhook.shutdown(end: end) }
        if let command { _ = command.shutdown(end: end) }
        loop.stop()
    }
}
