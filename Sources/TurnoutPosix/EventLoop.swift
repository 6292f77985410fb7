import CTurnoutSys
import Glibc

/// One epoll loop, owned by one thread. Everything registered with it — descriptors, timers,
/// buffers — is touched only from that thread; other threads reach it through `inbox` only.
/// That confinement is why it is `@unchecked Sendable`: the reference may cross threads (to
/// post to the inbox), its mutable state may not.
public final class EventLoop: @unchecked Sendable {
    private let epollDescriptor: Int32
    private var events: UnsafeMutablePointer<epoll_event>
    private let maxEvents = 256
    private var handlers: [EventHandler?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []
    /// Handlers that stopped early (work cap) and must be called again before sleeping.
    private var resumeQueue: [(EventHandler, UInt32)] = []
    private var running = false

    public let inbox: Inbox
    public let timers: TimerWheel
    public let buffers: BufferPool
    /// Monotonic time of the current wakeup; reading it costs no syscall.
    public private(set) var now: UInt64
    /// A small index for logs and metrics (worker 0, 1, …).
    public let index: Int
    /// Gives surplus buffers' pages back to the kernel a second after the pool overflowed.
    private let surplusReturn: SurplusReturn

    public init(index: Int, bufferSize: Int = 16 * 1024) throws(Errno) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw Errno.current }
        epollDescriptor = fd
        self.index = index
        events = .allocate(capacity: maxEvents)
        now = monotonicNanoseconds()
        timers = TimerWheel(now: now)
        buffers = BufferPool(bufferSize: bufferSize)
        surplusReturn = SurplusReturn(buffers: buffers)
        inbox = try Inbox()
        _ = try register(descriptor: inbox.eventDescriptor, events: EpollEvents.readable | EpollEvents.edgeTriggered, handler: inbox)
    }

    deinit {
        events.deallocate()
        _ = close(epollDescriptor)
    }

    // MARK: Registration

    /// Adds `descriptor` to the epoll set. Connected sockets are registered once, for in and
    /// out, edge-triggered, and never modified afterwards.
    public func register(descriptor: Int32, events mask: UInt32, handler: EventHandler) throws(Errno) -> Registration {
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = handlers.count
            handlers.append(nil)
            generations.append(0)
        }
        handlers[slot] = handler
        let registration = Registration(slot: UInt32(slot), generation: generations[slot])
        var event = epoll_event()
        event.events = mask
        event.data.u64 = registration.rawValue
        guard epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, descriptor, &event) == 0 else {
            let error = Errno.current
            release(slot: slot)
            throw error
        }
        return registration
    }

    /// Changes the events a descriptor waits for (listeners pausing accept under backpressure).
    public func modify(descriptor: Int32, registration: Registration, events mask: UInt32) {
        var event = epoll_event()
        event.events = mask
        event.data.u64 = registration.rawValue
        _ = epoll_ctl(epollDescriptor, EPOLL_CTL_MOD, descriptor, &event)
    }

    /// Removes a registration. Call before closing the descriptor; events for it already
    /// fetched in this wakeup are dropped by the generation check.
    public func deregister(descriptor: Int32, registration: Registration) {
        var event = epoll_event()
        _ = epoll_ctl(epollDescriptor, EPOLL_CTL_DEL, descriptor, &event)
        let slot = registration.slot
        guard slot < handlers.count, generations[slot] == registration.generation else { return }
        release(slot: slot)
    }

    private func release(slot: Int) {
        handlers[slot] = nil
        generations[slot] &+= 1
        freeSlots.append(slot)
    }

    /// Asks the loop to call `handler` again with `events` before it next sleeps: a handler
    /// that hit its per-wakeup work cap with data still pending uses this, because an
    /// edge-triggered descriptor will not report the same data twice.
    public func resumeSoon(_ handler: EventHandler, events: UInt32) {
        resumeQueue.append((handler, events))
    }

    // MARK: Running

    /// Runs until `stop()`; returns on the loop's thread.
    public func run() {
        running = true
        var resuming: [(EventHandler, UInt32)] = []
        while running {
            let timeout = resumeQueue.isEmpty ? timers.millisecondsUntilNextTick(now: monotonicNanoseconds()) : 0
            let count = epoll_wait(epollDescriptor, events, Int32(maxEvents), timeout)
            now = monotonicNanoseconds()
            if count > 0 {
                for i in 0..<Int(count) {
                    inbox.runPosted()
                    let registration = Registration(rawValue: events[i].data.u64)
                    let slot = registration.slot
                    guard slot < handlers.count, generations[slot] == registration.generation,
                          let handler = handlers[slot] else { continue }
                    handler.handleEvents(events[i].events)
                }
            } else if count < 0 && errno != EINTR {
                // epoll_wait fails only on a programming error (EBADF, EINVAL); say so loudly.
                fatalError("epoll_wait failed: \(Errno.current)")
            }
            if !resumeQueue.isEmpty {
                swap(&resuming, &resumeQueue)
                for (handler, mask) in resuming { handler.handleEvents(mask) }
                resuming.removeAll(keepingCapacity: true)
            }
            timers.advance(to: now)
            if buffers.hasSurplus && !surplusReturn.isScheduled {
                timers.schedule(surplusReturn, at: now + SurplusReturn.delayNanoseconds)
            }
        }
    }

    /// Stops the loop after the current wakeup. Safe from any thread.
    public func stop() {
        inbox.post { [self] in running = false }
    }

    /// Runs `job` on the loop's thread (posting it when called from elsewhere).
    public func execute(_ job: @escaping @Sendable () -> Void) { inbox.post(job) }

    /// After a burst, the buffers beyond what the pool keeps warm give their pages back to the
    /// kernel, a second later so that a burst that is still going reuses them instead. At most
    /// once a second, and only when there is surplus.
    private final class SurplusReturn: TimerNode {
        static let delayNanoseconds: UInt64 = 1_000_000_000
        let buffers: BufferPool

        init(buffers: BufferPool) { self.buffers = buffers }

        override func timerExpired(now: UInt64) { buffers.returnSurplus() }
    }
}
