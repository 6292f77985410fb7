import CTurnoutSys
import Glibc
import Synchronization

/// The only way into a loop from another thread: a locked queue of jobs plus an eventfd that
/// wakes the loop. Used for configuration and weight snapshots and for shutdown, never per
/// request, so a lock here costs nothing on the data path.
public final class Inbox: EventHandler, Sendable {
    public typealias Job = @Sendable () -> Void
    private let jobs = Mutex<[Job]>([])
    /// Set by `post`, cleared when the jobs are taken: lets a busy loop run them between two
    /// handlers instead of at its next `epoll_wait` (a weight change takes effect in microseconds,
    /// not after the rest of a batch of hundreds of events).
    private let pending = Atomic<Bool>(false)
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
        pending.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = retryingInterrupts { write(eventDescriptor, &one, 8) }
    }

    public func handleEvents(_ events: UInt32) {
        var counter: UInt64 = 0
        _ = retryingInterrupts { read(eventDescriptor, &counter, 8) }
        runJobs()
    }

    /// Runs the posted jobs if there are any; one relaxed load when there are none. Called by the
    /// loop between handlers.
    @inline(__always)
    func runPosted() {
        if pending.load(ordering: .relaxed) { runJobs() }
    }

    private func runJobs() {
        pending.store(false, ordering: .relaxed)
        let taken = jobs.withLock { queued -> [Job] in
            let taken = queued
            queued.removeAll(keepingCapacity: true)
            return taken
        }
        for job in taken { job() }
    }
}
