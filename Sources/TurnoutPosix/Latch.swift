import Glibc

/// A counting semaphore for waiting, off the data path, until loops have done something
/// (adopted a snapshot, drained, reported counters). Every wait has a deadline.
public final class Latch: @unchecked Sendable {
    private var semaphore = sem_t()

    public init() { sem_init(&semaphore, 0, 0) }
    deinit { sem_destroy(&semaphore) }

    public func signal() { sem_post(&semaphore) }

    /// Waits for one `signal`; false when `seconds` passed first.
    public func wait(seconds: Double) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let total = Int(now.tv_nsec) + Int(seconds.truncatingRemainder(dividingBy: 1) * 1e9)
        var deadline = timespec(tv_sec: now.tv_sec + Int(seconds) + total / 1_000_000_000, tv_nsec: total % 1_000_000_000)
        while true {
            if sem_timedwait(&semaphore, &deadline) == 0 { return true }
            if errno != EINTR { return false }
        }
    }
}
