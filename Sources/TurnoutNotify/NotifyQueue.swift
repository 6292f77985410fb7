import CTurnoutSys
import Glibc
import Synchronization
import TurnoutPosix

/// The bounded queue between whoever records history and the notifier's thread: a locked list of
/// entries plus an eventfd that wakes the thread, like TurnoutPosix's `Inbox`. The lock is held
/// for an append or a swap, never across I/O, so `enqueue` costs a lock, an append and at most
/// one non-blocking eventfd write; when the queue is full it drops and counts instead of waiting.
///
/// The counters live under the same lock, so a copy of them is always consistent.
final class NotifyQueue: Sendable {
    /// Everything the lock protects.
    struct Shared {
        /// Entries accepted and not yet taken by the notifier's thread.
        var incoming: [[UInt8]] = []
        /// Entries accepted and not yet finished by every sink (`incoming` included): the number
        /// the limit bounds.
        var outstanding = 0
        /// Set by `close`: from then on every entry is refused.
        var closed = false
        /// Set by the first drop of a run of drops, cleared by the next accepted entry: only
        /// that first drop wakes the thread to say so.
        var dropping = false
        var counters: NotifierCounters
    }

    private let shared: Mutex<Shared>
    /// Written (non-blocking) to wake the thread; read by it before it takes the entries.
    let eventDescriptor: Int32
    /// Entries waiting at most (`NotifyConfig.queueLimit`).
    let limit: Int

    init(limit: Int, webhooks: [String]) throws(Errno) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw Errno.current }
        eventDescriptor = fd
        self.limit = max(limit, 1)
        shared = Mutex(Shared(counters: NotifierCounters(webhooks: webhooks)))
    }

    deinit { _ = Glibc.close(eventDescriptor) }

    /// Appends `entry`, or drops and counts it when the queue is full or closed. Never waits on
    /// anything but a lock held for an append. Safe from any thread.
    func enqueue(_ entry: [UInt8]) -> Bool {
        let (accepted, wake) = shared.withLock { s -> (Bool, Bool) in
            guard !s.closed, s.outstanding < limit else {
                s.counters.dropped += 1
                let first = !s.dropping
                s.dropping = true
                return (false, first && !s.closed)
            }
            // Only the append that makes the list non-empty wakes the thread: it takes the
            // whole list when it wakes, so later appends before that ride along.
            let wake = s.incoming.isEmpty
            s.dropping = false
            s.incoming.append(entry)
            s.outstanding += 1
            s.counters.enqueued += 1
            s.counters.queued += 1
            return (true, wake)
        }
        if wake { signal() }
        return accepted
    }

    /// Wakes the notifier's thread. The eventfd counter cannot overflow in practice (2^64 − 2
    /// writes), so a non-blocking write never fails for want of room.
    func signal() {
        var one: UInt64 = 1
        _ = retryingInterrupts { write(eventDescriptor, &one, 8) }
    }

    /// Clears the eventfd's counter (on the notifier's thread, before `take`).
    func acknowledge() {
        var counter: UInt64 = 0
        _ = retryingInterrupts { read(eventDescriptor, &counter, 8) }
    }

    /// Takes every waiting entry, oldest first, and the number dropped so far.
    func take() -> (entries: [[UInt8]], dropped: UInt64) {
        shared.withLock { s in
            let taken = s.incoming
            s.incoming.removeAll(keepingCapacity: true)
            return (taken, s.counters.dropped)
        }
    }

    /// Refuses every later entry; what is already queued stays for the notifier to flush.
    func close() {
        shared.withLock { $0.closed = true }
    }

    /// `count` entries were finished by every sink: their places are free again.
    func finished(_ count: Int) {
        guard count > 0 else { return }
        shared.withLock { s in
            s.outstanding -= count
            s.counters.queued -= UInt64(count)
        }
    }

    /// Updates the counters under the lock (from the notifier's thread).
    func update(_ body: (inout NotifierCounters) -> Void) {
        shared.withLock { body(&$0.counters) }
    }

    /// A consistent copy of the counters.
    var counters: NotifierCounters { shared.withLock { $0.counters } }
}
