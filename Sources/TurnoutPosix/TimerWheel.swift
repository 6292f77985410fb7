/// Something with at most one deadline on its loop's timer wheel. Connections subclass it, so
/// arming, moving and cancelling a deadline is O(1) pointer work with no allocation: the node
/// is linked into the wheel's slot list in place (intrusive, like the Linux kernel's timers).
open class TimerNode {
    /// When the node is due, in monotonic nanoseconds; 0 when not armed.
    public fileprivate(set) var deadline: UInt64 = 0
    /// The tick of the slot the node is filed in (valid while `slot >= 0`). It is never later
    /// than the deadline's tick: a deadline that moved later keeps its old filing until then.
    fileprivate var filedTick: UInt64 = 0
    /// Strong: a filed node is kept alive by the wheel until its slot comes round or it is removed.
    fileprivate var next: TimerNode?
    /// Unowned(unsafe) is safe: `prev` always points at a node still linked in the same list,
    /// and every unlink fixes both neighbours before a node can go away.
    fileprivate unowned(unsafe) var previous: TimerNode?
    /// The slot the node is filed in; -1 when not filed, `TimerWheel.refiling` while `advance`
    /// holds it to file again.
    fileprivate var slot = -1

    public init() {}

    /// Called on the loop's thread once `deadline` has passed. The node is already disarmed.
    open func timerExpired(now: UInt64) {}

    public var isScheduled: Bool { deadline != 0 }
}

/// A hashed timing wheel: 1,024 slots of 10 ms. A deadline further away than one revolution
/// waits in its slot and is re-examined each time the wheel comes round. Timeouts in a proxy
/// are seconds long and tolerate a tick of lateness; a heap or a timer per connection would
/// cost a log factor or a syscall for each of the thousands of re-arms per second.
///
/// Re-arming is lazy, as in HAProxy's task queue: a connection pushes its deadline later on
/// every request and cancels it between phases, and neither touches the lists. The node stays
/// filed under its earlier tick; when that slot comes round it is dropped (cancelled), fired
/// (due) or filed again under its current deadline. Only moving a deadline earlier relinks.
public final class TimerWheel {
    public static let tickNanoseconds: UInt64 = 10_000_000
    private static let slotCount = 1024
    /// `TimerNode.slot` of a node taken out of its slot by `advance` and about to be filed again.
    fileprivate static let refiling = -2
    private var slots: [TimerNode?]
    /// The next tick to be processed; every node whose tick is below it has fired.
    private var currentTick: UInt64
    /// No linked node has a tick below this, so the loop may sleep until it instead of waking
    /// every tick (an idle keep-alive connection's timer is seconds away). Lowered by `link`,
    /// raised lazily by `millisecondsUntilNextTick`.
    private var earliestTick: UInt64
    /// Nodes filed in the slots, armed or cancelled but not yet dropped.
    public private(set) var count = 0

    public init(now: UInt64) {
        slots = Array(repeating: nil, count: Self.slotCount)
        currentTick = now / Self.tickNanoseconds
        earliestTick = currentTick
    }

    /// Arms `node` at `deadline`, replacing any deadline it had. A node already filed no later
    /// than the new deadline's tick only records it.
    public func schedule(_ node: TimerNode, at deadline: UInt64) {
        node.deadline = max(deadline, 1)
        // Waiting to be filed again by `advance`, which reads the deadline when it does.
        if node.slot == Self.refiling { return }
        if node.slot >= 0 {
            if node.filedTick <= node.deadline / Self.tickNanoseconds { return }
            unlink(node)
        }
        link(node)
    }

    /// Disarms `node`. It stays filed (and referenced) until its slot comes round, so a cancel
    /// followed by a new deadline costs no list work; use `remove` for a node going away.
    public func cancel(_ node: TimerNode) {
        node.deadline = 0
    }

    /// Disarms `node` and drops the wheel's reference to it now: for a node that is closing,
    /// which must not be kept alive until its old slot comes round.
    public func remove(_ node: TimerNode) {
        node.deadline = 0
        if node.slot >= 0 { unlink(node) }
        // A node waiting in `advance`'s refile list is dropped there (its deadline is 0).
    }

    /// Fires every node whose deadline is before `now`'s tick.
    public func advance(to now: UInt64) {
        let target = now / Self.tickNanoseconds
        if count == 0 { currentTick = max(currentTick, target) }
        while currentTick < target {
            let index = Int(currentTick & UInt64(Self.slotCount - 1))
            // Past this tick first, so a node a handler schedules lands in a later slot.
            currentTick += 1
            // One node at a time, each unlinked before its handler runs: a handler may remove or
            // move any other node (a client timing out closes its upstream connection), and the
            // lists stay whole. Nodes not due wait in `refile` until the slot is empty, so one
            // filed again into this same slot (a later revolution) is not examined twice.
            var refile: TimerNode?
            while let current = slots[index] {
                unlink(current)
                if current.deadline == 0 {
                    continue  // cancelled while filed
                } else if current.deadline <= now {
                    current.deadline = 0
                    current.timerExpired(now: now)
                } else {
                    current.slot = Self.refiling  // not due: a later revolution, or moved later
                    current.next = refile
                    refile = current
                }
            }
            while let current = refile {
                refile = current.next
                current.next = nil
                current.slot = -1
                if current.deadline != 0 { link(current) }
            }
        }
    }

    /// How long epoll_wait may sleep before a timer can be due: -1 (forever) when empty.
    public func millisecondsUntilNextTick(now: UInt64) -> Int32 {
        guard count > 0 else { return -1 }
        if earliestTick <= currentTick {
            // The bound is stale. A node of tick t sits in slot t % slotCount, at most
            // t - currentTick slots ahead, so the first occupied slot k ahead bounds every tick.
            var ahead: UInt64 = 0
            while ahead < UInt64(Self.slotCount) - 1 && slots[Int((currentTick &+ ahead) & UInt64(Self.slotCount - 1))] == nil {
                ahead += 1
            }
            earliestTick = currentTick &+ ahead
        }
        // A node of tick t fires once `now` reaches tick t + 1.
        let dueAt = (max(earliestTick, currentTick) + 1) * Self.tickNanoseconds
        guard dueAt > now else { return 0 }
        return Int32(min((dueAt - now + 999_999) / 1_000_000, UInt64(Int32.max)))
    }

    private func link(_ node: TimerNode) {
        let tick = max(node.deadline / Self.tickNanoseconds, currentTick)
        earliestTick = min(earliestTick, tick)
        let index = Int(tick & UInt64(Self.slotCount - 1))
        node.filedTick = tick
        node.slot = index
        node.previous = nil
        node.next = slots[index]
        slots[index]?.previous = node
        slots[index] = node
        count += 1
    }

    private func unlink(_ node: TimerNode) {
        if let previous = node.previous {
            previous.next = node.next
        } else {
            slots[node.slot] = node.next
        }
        node.next?.previous = node.previous
        node.next = nil
        node.previous = nil
        node.slot = -1
        count -= 1
    }
}
