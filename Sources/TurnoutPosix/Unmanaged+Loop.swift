/// Forwarding for the loop's timer wheel and buffer pool held as `Unmanaged` by the objects the
/// loop serves (they live as long as the loop): `_withUnsafeGuaranteedRef` calls through without
/// the retain and release a call on a reference loaded from another object's field costs.
extension Unmanaged where Instance == TimerWheel {
    @inlinable @inline(__always)
    public func schedule(_ node: TimerNode, at deadline: UInt64) {
        _withUnsafeGuaranteedRef { $0.schedule(node, at: deadline) }
    }

    @inlinable @inline(__always)
    public func cancel(_ node: TimerNode) {
        _withUnsafeGuaranteedRef { $0.cancel(node) }
    }

    @inlinable @inline(__always)
    public func remove(_ node: TimerNode) {
        _withUnsafeGuaranteedRef { $0.remove(node) }
    }
}

extension Unmanaged where Instance == BufferPool {
    @inlinable @inline(__always)
    public func acquire() -> ByteBuffer {
        _withUnsafeGuaranteedRef { $0.acquire() }
    }

    @inlinable @inline(__always)
    public func release(_ buffer: consuming ByteBuffer) {
        _withUnsafeGuaranteedRef { [buffer = consume buffer] in $0.release(buffer) }
    }
}
