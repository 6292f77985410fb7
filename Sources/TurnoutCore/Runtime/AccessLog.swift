import Glibc
import Synchronization
import TurnoutPosix

/// The access log's writer (SPEC §8): one JSON line per request, written by its own thread so
/// a slow disk or a blocked stdout never stalls a worker. Workers hand over whole batches of
/// lines; when more than `maxQueuedBytes` wait, new batches are dropped and counted instead.
public final class AccessLogWriter: Sendable {
    /// `"stdout"` or a file path (opened for appending, created 0644).
    public let destination: String
    private struct Queue {
        var batches: [[UInt8]] = []
        var bytes = 0
        var dropped = 0
        var stopping = false
        var reopen = false
    }
    private let queue = Mutex(Queue())
    private let wakeup = Latch()
    private let done = Latch()
    private let descriptor: Mutex<Int32>
    static let maxQueuedBytes = 16 << 20

    /// Opens the destination; the error names it.
    public init(destination: String) throws(ProxyStartError) {
        self.destination = destination
        descriptor = Mutex(try Self.open(destination))
        LoopThread.start(name: "turnout-log") { [self] in run() }
    }

    private static func open(_ destination: String) throws(ProxyStartError) -> Int32 {
        if destination == "stdout" { return 1 }
        let fd = Glibc.open(destination, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ProxyStartError(description: "access_log: cannot open \(destination): \(Errno.current)") }
        return fd
    }

    /// Takes a worker's batch of lines. Never blocks on I/O: the lock only guards the queue.
    func submit(_ batch: [UInt8]) {
        let accepted = queue.withLock { queue -> Bool in
            guard queue.bytes + batch.count <= Self.maxQueuedBytes else {
                queue.dropped += batch.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                return false
            }
            queue.batches.append(batch)
            queue.bytes += batch.count
            return true
        }
        if accepted { wakeup.signal() }
    }

    /// Lines dropped because the writer fell behind.
    public var droppedLines: Int { queue.withLock { $0.dropped } }

    /// Reopens a file destination (after log rotation moved it), on the writer's thread.
    public func reopen() {
        queue.withLock { $0.reopen = true }
        wakeup.signal()
    }

    /// Writes what is queued, then stops the thread. Later calls do nothing.
    public func stop() {
        let first = queue.withLock { queue -> Bool in
            defer { queue.stopping = true }
            return !queue.stopping
        }
        guard first else { return }
        wakeup.signal()
        _ = done.wait(seconds: 10)
    }

    private func run() {
        while true {
            _ = wakeup.wait(seconds: 1)
            let (batches, stopping, reopen) = queue.withLock { queue in
                defer { queue.batches.removeAll(); queue.bytes = 0; queue.reopen = false }
                return (queue.batches, queue.stopping, queue.reopen)
            }
            if reopen && destination != "stdout", let fresh = try? Self.open(destination) {
                descriptor.withLock { fd in
                    Glibc.close(fd)
                    fd = fresh
                }
            }
            let fd = descriptor.withLock { $0 }
            for batch in batches { batch.withUnsafeBytes { _ = writeAll(fd, $0) } }
            if stopping {
                if destination != "stdout" { Glibc.close(fd) }
                done.signal()
                return
            }
        }
    }
}

/// One worker's lines waiting to be handed to the writer: appended to in place, handed over
/// when 32 KiB have gathered or a quarter second after the first line, whichever comes first.
final class AccessLogBatch: TimerNode {
    let writer: AccessLogWriter
    private unowned let loop: EventLoop
    var lines: [UInt8] = []
    /// The formatted wall-clock second the last line used, so formatting a time costs a
    /// gmtime only once a second.
    private var cachedSecond = -1
    private var cachedTime: [UInt8] = []
    static let handOverBytes = 32 * 1024
    static let handOverDelay: UInt64 = 250_000_000

    init(writer: AccessLogWriter, loop: EventLoop) {
        self.writer = writer
        self.loop = loop
        super.init()
        lines.reserveCapacity(Self.handOverBytes + 4096)
    }

    /// Called after a line was appended.
    func lineAdded() {
        if lines.count >= Self.handOverBytes {
            flush()
        } else if !isScheduled {
            loop.timers.schedule(self, at: loop.now &+ Self.handOverDelay)
        }
    }

    override func timerExpired(now: UInt64) { flush() }

    func flush() {
        loop.timers.cancel(self)
        guard !lines.isEmpty else { return }
        writer.submit(lines)
        lines = []
        lines.reserveCapacity(Self.handOverBytes + 4096)
    }

    /// Appends the current UTC time as `2026-11-22T14:00:00.123Z`.
    func appendTime() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        if now.tv_sec != cachedSecond {
            cachedSecond = now.tv_sec
            var seconds = time_t(now.tv_sec)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            cachedTime = []
            appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &cachedTime)
            cachedTime.append(0x2D)
            appendDigits(Int(parts.tm_mon) + 1, width: 2, to: &cachedTime)
            cachedTime.append(0x2D)
            appendDigits(Int(parts.tm_mday), width: 2, to: &cachedTime)
            cachedTime.append(0x54)
            appendDigits(Int(parts.tm_hour), width: 2, to: &cachedTime)
            cachedTime.append(0x3A)
            appendDigits(Int(parts.tm_min), width: 2, to: &cachedTime)
            cachedTime.append(0x3A)
            appendDigits(Int(parts.tm_sec), width: 2, to: &cachedTime)
            cachedTime.append(0x2E)
        }
        lines += cachedTime
        appendDigits(Int(now.tv_nsec) / 1_000_000, width: 3, to: &lines)
        lines.append(0x5A)
    }
}

/// Appends `value` in decimal, zero-padded to `width` digits.
func appendDigits(_ value: Int, width: Int = 1, to bytes: inout [UInt8]) {
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    var rest = UInt(max(0, value))
    withUnsafeMutableBytes(of: &digits) { buffer in
        repeat {
            buffer[count] = 0x30 + UInt8(rest % 10)
            rest /= 10
            count += 1
        } while rest > 0 && count < 20
        while count < width && count < 20 {
            buffer[count] = 0x30
            count += 1
        }
        for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
    }
}
