/// Something registered with an event loop: a listener, a connection, the inbox. The loop
/// calls it on its own thread with the epoll bits that fired.
public protocol EventHandler: AnyObject {
    func handleEvents(_ events: UInt32)
}

/// Identifies one registration: the handler table slot in the low 32 bits and that slot's
/// generation in the high 32. It travels in `epoll_data.u64`, so an event that was already
/// queued for a descriptor closed and reused in the same wakeup is recognised and dropped.
public struct Registration: Equatable, Sendable {
    public let rawValue: UInt64
    @inlinable init(slot: UInt32, generation: UInt32) { rawValue = UInt64(generation) << 32 | UInt64(slot) }
    @inlinable init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable var slot: Int { Int(UInt32(truncatingIfNeeded: rawValue)) }
    @inlinable var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
}
