import Glibc

/// A fixed-capacity byte buffer with a read and a write index. Its memory belongs to the loop's
/// `BufferPool`, which hands the buffer out again rather than freeing it. Bytes between
/// `readIndex` and `writeIndex` are unread.
public final class ByteBuffer {
    public let base: UnsafeMutableRawPointer
    public let capacity: Int
    public var readIndex = 0
    public var writeIndex = 0

    init(base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

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

/// A loop's buffers, all of one size: connections take one while they have bytes in flight and
/// give it back when idle, so thousands of idle keep-alive connections cost no buffer.
///
/// Buffer memory comes from slabs mapped for the pool alone, never from the allocator's heap. A
/// burst of thousands of exchanges takes thousands of buffers at once; had they come from the
/// heap, the connections' small objects allocated in between would end up one or two per page,
/// and the heap would stay that large (and resident) long after the buffers were freed. Up to
/// `keepAtMost` free buffers stay warm; the rest are surplus, whose pages the loop gives back to
/// the kernel a second later (`returnSurplus`, with `MADV_DONTNEED`) while their addresses stay
/// ready for the next burst. Nothing is unmapped, so the pool's mappings stay few.
public final class BufferPool {
    public let bufferSize: Int
    /// Free buffers with resident pages, the next to be handed out.
    private var warm: [ByteBuffer] = []
    /// Free buffers beyond `keepAtMost`, resident until `returnSurplus`.
    private var surplus: [ByteBuffer] = []
    /// Free buffers whose pages went back to the kernel (zero pages again when next written).
    private var returned: [ByteBuffer] = []
    private let keepAtMost: Int
    /// The slab being carved into buffers, and how many it has left.
    private var slab: UnsafeMutableRawPointer?
    private var slabLeft = 0
    /// Buffers per slab: one mapping per 64 buffers (1 MiB at the default size).
    static let buffersPerSlab = 64

    public init(bufferSize: Int, keepAtMost: Int = 1024) {
        // Whole pages, so giving one buffer's pages back cannot touch a neighbour's.
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        self.bufferSize = (bufferSize + page - 1) / page * page
        self.keepAtMost = keepAtMost
        warm.reserveCapacity(keepAtMost)
    }

    /// Whether free buffers wait for `returnSurplus`.
    public var hasSurplus: Bool { !surplus.isEmpty }

    public func acquire() -> ByteBuffer {
        if let buffer = surplus.popLast() ?? warm.popLast() ?? returned.popLast() { return buffer }
        if slabLeft == 0 {
            let bytes = bufferSize * Self.buffersPerSlab
            let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            // Out of address space or over the mapping limit: the same as the allocator failing.
            guard let mapped, mapped != MAP_FAILED else { fatalError("BufferPool: mmap of \(bytes) bytes failed: \(Errno.current)") }
            slab = mapped
            slabLeft = Self.buffersPerSlab
        }
        slabLeft -= 1
        return ByteBuffer(base: slab! + slabLeft * bufferSize, capacity: bufferSize)
    }

    /// Takes `buffer` back. It is `consuming` so that a holder handing over its last reference
    /// (`Optional.take()`) moves it into the free list without a retain and a release.
    public func release(_ buffer: consuming ByteBuffer) {
        buffer.clear()
        if warm.count < keepAtMost { warm.append(buffer) } else { surplus.append(buffer) }
    }

    /// Gives the surplus buffers' pages back to the kernel; they stay in the pool for reuse.
    public func returnSurplus() {
        for buffer in surplus { _ = madvise(buffer.base, buffer.capacity, MADV_DONTNEED) }
        returned.append(contentsOf: surplus)
        surplus.removeAll(keepingCapacity: true)
    }
}
