import Glibc
import Testing
@testable import TurnoutPosix

/// The loop's buffer pool: buffers from its own slabs, a warm set reused first, and surplus whose
/// pages go back to the kernel after a burst.
struct BufferPoolTests {
    /// Resident pages of `buffers`, from mincore(2): only the pool's own memory, whatever else
    /// the test process does meanwhile.
    static func residentPages(_ buffers: [ByteBuffer]) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var resident = 0
        for buffer in buffers {
            var vector = [UInt8](repeating: 0, count: buffer.capacity / page)
            guard mincore(buffer.base, buffer.capacity, &vector) == 0 else { return -1 }
            resident += vector.filter { $0 & 1 != 0 }.count
        }
        return resident
    }

    @Test func buffersAreWholePagesAndDoNotOverlap() {
        let pool = BufferPool(bufferSize: 10_000, keepAtMost: 4)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        #expect(pool.bufferSize % page == 0 && pool.bufferSize >= 10_000)
        // More than one slab's worth, so a second slab is mapped.
        let buffers = (0..<(BufferPool.buffersPerSlab + 3)).map { _ in pool.acquire() }
        let starts = buffers.map { UInt(bitPattern: $0.base) }.sorted()
        for (a, b) in zip(starts, starts.dropFirst()) { #expect(b - a >= UInt(pool.bufferSize)) }
        for buffer in buffers { #expect(buffer.capacity == pool.bufferSize && buffer.isEmpty) }
    }

    @Test func releasedBuffersAreReusedWarmFirst() {
        let pool = BufferPool(bufferSize: 16 * 1024, keepAtMost: 2)
        let a = pool.acquire(), b = pool.acquire()
        a.append([1, 2, 3])
        pool.release(a)
        pool.release(b)
        #expect(!pool.hasSurplus)
        let again = pool.acquire()
        #expect(again === b || again === a)
        #expect(again.isEmpty)
    }

    /// A burst of 2,048 buffers written in full, then released: after `returnSurplus` the pool
    /// keeps its 4 warm buffers resident and the rest of the burst's pages are gone, while the
    /// surplus buffers are still handed out again (zeroed, since their pages were returned).
    @Test func surplusPagesGoBackToTheKernel() {
        let pool = BufferPool(bufferSize: 16 * 1024, keepAtMost: 4)
        let burst = (0..<2_048).map { _ in pool.acquire() }
        for buffer in burst { buffer.writePointer.initializeMemory(as: UInt8.self, repeating: 0xAB, count: buffer.capacity) }
        let pagesPerBuffer = pool.bufferSize / Int(sysconf(Int32(_SC_PAGESIZE)))
        #expect(Self.residentPages(burst) == 2_048 * pagesPerBuffer)
        for buffer in burst { pool.release(buffer) }
        #expect(pool.hasSurplus)
        pool.returnSurplus()
        #expect(!pool.hasSurplus)
        #expect(Self.residentPages(burst) == 4 * pagesPerBuffer)
        // Every buffer of the burst comes back before a new one is carved.
        let reused = (0..<2_048).map { _ in pool.acquire() }
        #expect(Set(reused.map { ObjectIdentifier($0) }) == Set(burst.map { ObjectIdentifier($0) }))
        let returnedOne = reused.first { $0.base.load(as: UInt8.self) == 0 }
        #expect(returnedOne != nil)
    }
}
