import CTurnoutSys
import Glibc
import Synchronization

/// The only way into a loop from another thread: a locked queue of jobs plus an eventfd that
/// wakes the loop. Used for configuration and weight snapshots and for shutdown, never per
/// request, so a lock here costs nothing on the data path.
public final class Inbox: EventHandler, Sendable {
    public typealias Job = @Sendable () -> Void
    private let jobs = Mutex<[Job]>([])
    let eventDescriptor: Int32

    init() throws(Errno) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw Errno.current }
        eventDescriptor = fd
    }

    deinit { _ = close(eventDescriptor) }

    /// Queues `job` to run on the loop's thread and wakes the loop. Safe from any thread.
    public func post(_ job: @escaping Job) {
        jobs.withLock { $0.append(job) }
        var one: UInt64 = 1
        _ = retryingInterrupts { write(eventDescriptor, &one, 8) }
    }

    public func handleEvents(_ events: UInt32) {
        var counter: UInt64 = 0
        _ = retryingInterrupts { read(eventDescriptor, &counter, 8) }
        let pending = jobs.withLock { queued -> [Job] in
            let taken = queued
            queued.removeAll(keepingCapacity: true)
            return taken
        }
        for job in pending { job() }
    }
}
