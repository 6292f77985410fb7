import Glibc

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC): never jumps with the wall clock.
@inlinable
public func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
}
