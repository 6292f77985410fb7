/// A fixed-capacity byte buffer with a read and a write index, allocated once and reused from
/// its loop's pool. Bytes between `readIndex` and `writeIndex` are unread.
public final class ByteBuffer {
    public let base: UnsafeMutableRawPointer
    public let capacity: Int
    public var readIndex = 0
    public var writeIndex = 0

    public init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    @inlinable public var readableCount: Int { writeIndex - readIndex }
    @inlinable public var writableCount: Int { capacity - writeIndex }
    @inlinable public var isEmpty: Bool { readIndex == writeIndex }
    @inlinable public var readPointer: UnsafeMutableRawPointer { base + readIndex }
    @inlinable public var writePointer: UnsafeMutableRawPointer { base + writeIndex }

    /// The unread bytes.
    @inlinable public var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + readIndex, count: writeIndex - readIndex)
    }

    @inlinable public func clear() {
        readIndex = 0
        writeIndex = 0
    }

    /// Moves the unread bytes to the start so the free space is contiguous again.
    public func compact() {
        guard readIndex > 0 else { return }
        let unread = writeIndex - readIndex
        if unread > 0 { (base).copyMemory(from: base + readIndex, byteCount: unread) }
        readIndex = 0
        writeIndex = unread
    }

    /// Appends bytes; returns false (writing nothing) when they do not fit.
    @discardableResult
    public func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= writableCount else { return false }
        if bytes.count > 0 { writePointer.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        writeIndex += bytes.count
        return true
    }

    @discardableResult
    public func append(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { append($0) } }
}

/// A loop's free list of equally sized buffers: connections take one while they have bytes in
/// flight and give it back when idle, so thousands of idle keep-alive connections cost no buffer.
public final class BufferPool {
    public let bufferSize: Int
    private var free: [ByteBuffer] = []
    private let keepAtMost: Int

    public init(bufferSize: Int, keepAtMost: Int = 1024) {
        self.bufferSize = bufferSize
        self.keepAtMost = keepAtMost
        free.reserveCapacity(keepAtMost)
    }

    public func acquire() -> ByteBuffer {
        if let buffer = free.popLast() { return buffer }
        return ByteBuffer(capacity: bufferSize)
    }

    public func release(_ buffer: ByteBuffer) {
        buffer.clear()
        if free.count < keepAtMost { free.append(buffer) }
    }
}
