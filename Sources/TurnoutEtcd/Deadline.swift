import Glibc
import TurnoutPosix

/// The instant a call must be over by, on the monotonic clock: one deadline covers connect,
/// send and the whole answer, so no phase can restart the clock.
struct Deadline: Sendable {
    let nanoseconds: UInt64

    /// `seconds` from now (negative and NaN count as 0).
    static func after(seconds: Double) -> Deadline {
        let span = seconds.isFinite && seconds > 0 ? UInt64(min(seconds, 1e9) * 1e9) : 0
        return Deadline(nanoseconds: monotonicNanoseconds() &+ span)
    }

    var hasPassed: Bool { monotonicNanoseconds() >= nanoseconds }

    /// Seconds left, 0 once passed.
    var remainingSeconds: Double {
        let now = monotonicNanoseconds()
        return now >= nanoseconds ? 0 : Double(nanoseconds - now) / 1e9
    }

    /// The earlier of the two.
    func capped(at other: Deadline) -> Deadline { nanoseconds <= other.nanoseconds ? self : other }
}

/// Whether `descriptor` became ready for `events` (POLLIN, POLLOUT) before `deadline`; an error
/// or hang-up counts as ready, so the read or write that follows reports it. poll(2) with EINTR
/// retried for the time still left.
func waitUntilReady(_ descriptor: Int32, for events: Int16, until deadline: Deadline) -> Bool {
    while true {
        let now = monotonicNanoseconds()
        guard now < deadline.nanoseconds else { return false }
        // Rounded up, so a wait never returns just before the deadline and spins.
        let milliseconds = Int32(min((deadline.nanoseconds - now + 999_999) / 1_000_000, UInt64(Int32.max)))
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        let result = poll(&entry, 1, milliseconds)
        if result > 0 { return true }
        if result < 0 && errno != EINTR { return true }
    }
}
