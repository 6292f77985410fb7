import Testing
import TurnoutPosix

/// The wheel against a simulated clock: no timer fires early, none fires more than a tick late,
/// and the sleep it asks for never passes a due timer (nor wakes every tick when nothing is due).
@Suite struct TimerWheelTests {
    final class Recorder: TimerNode {
        var firedAt: [UInt64] = []
        override func timerExpired(now: UInt64) { firedAt.append(now) }
    }

    static let tick = TimerWheel.tickNanoseconds
    static let start: UInt64 = 1_000 * tick + 3_000_000

    /// Runs the wheel as the event loop does: sleep as long as allowed, then advance.
    static func run(_ wheel: TimerWheel, from start: UInt64, until end: UInt64) -> Int {
        var now = start
        var wakeups = 0
        while now < end {
            let sleep = wheel.millisecondsUntilNextTick(now: now)
            guard sleep >= 0 else { return wakeups }
            now += UInt64(max(sleep, 1)) * 1_000_000
            wheel.advance(to: now)
            wakeups += 1
        }
        return wakeups
    }

    @Test func timersFireWithinOneTickOfTheirDeadline() {
        let wheel = TimerWheel(now: Self.start)
        let deadlines: [UInt64] = [5_000_000, 25_000_000, 999_000_000, 12_000_000_000, 45_000_000_000].map { Self.start + $0 }
        let nodes = deadlines.map { _ in Recorder() }
        for (node, deadline) in zip(nodes, deadlines) { wheel.schedule(node, at: deadline) }
        _ = Self.run(wheel, from: Self.start, until: Self.start + 60_000_000_000)
        for (node, deadline) in zip(nodes, deadlines) {
            #expect(node.firedAt.count == 1)
            let fired = node.firedAt.first ?? 0
            #expect(fired >= deadline, "fired \(deadline - min(deadline, fired)) ns early")
            #expect(fired <= deadline + 2 * Self.tick, "fired \(fired - deadline) ns late")
        }
        #expect(wheel.count == 0)
        #expect(wheel.millisecondsUntilNextTick(now: Self.start + 60_000_000_000) == -1)
    }

    @Test func aDistantTimerDoesNotWakeTheLoopEveryTick() {
        let wheel = TimerWheel(now: Self.start)
        let node = Recorder()
        wheel.schedule(node, at: Self.start + 30_000_000_000)
        // 30 s at a 10 ms tick would be 3,000 wakeups; one per wheel revolution (10.24 s) is the cost.
        let wakeups = Self.run(wheel, from: Self.start, until: Self.start + 31_000_000_000)
        #expect(node.firedAt.count == 1)
        #expect(wakeups <= 8, "\(wakeups) wakeups for one timer")
    }

    @Test func rescheduledAndCancelledTimersFollowTheirLastDeadline() {
        let wheel = TimerWheel(now: Self.start)
        let moved = Recorder()
        let cancelled = Recorder()
        wheel.schedule(moved, at: Self.start + 2_000_000_000)
        wheel.schedule(cancelled, at: Self.start + 50_000_000)
        wheel.schedule(moved, at: Self.start + 100_000_000)
        wheel.cancel(cancelled)
        #expect(!cancelled.isScheduled && moved.isScheduled)
        _ = Self.run(wheel, from: Self.start, until: Self.start + 3_000_000_000)
        #expect(cancelled.firedAt.isEmpty)
        #expect(moved.firedAt.count == 1)
        #expect((moved.firedAt.first ?? 0) < Self.start + 200_000_000)
        #expect(wheel.count == 0, "a cancelled node is dropped when its slot comes round")
    }

    /// A kept-alive connection pushes its deadline later on every request and cancels it between
    /// phases without relinking: it still fires once, at its last deadline, never at an old one.
    @Test func deadlinesPushedLaterFireAtTheLastOne() {
        let wheel = TimerWheel(now: Self.start)
        let pushed = Recorder()
        let rearmed = Recorder()
        var last: UInt64 = 0
        for step in 0..<200 {
            last = Self.start + UInt64(step) * 37_000_000 + 500_000_000
            wheel.schedule(pushed, at: last)
            wheel.cancel(rearmed)
            wheel.schedule(rearmed, at: last + 1_000_000_000)
        }
        #expect(wheel.count == 2, "moving a deadline later must not file the node twice")
        _ = Self.run(wheel, from: Self.start, until: last + 3_000_000_000)
        #expect(pushed.firedAt.count == 1)
        #expect(rearmed.firedAt.count == 1)
        let fired = pushed.firedAt.first ?? 0
        #expect(fired >= last && fired <= last + 2 * Self.tick, "fired at \(Int64(fired) - Int64(last)) ns from the last deadline")
        let rearmedFired = rearmed.firedAt.first ?? 0
        #expect(rearmedFired >= last + 1_000_000_000 && rearmedFired <= last + 1_000_000_000 + 2 * Self.tick)
    }

    @Test func aDeadlineMovedEarlierFiresAtTheEarlierOne() {
        let wheel = TimerWheel(now: Self.start)
        let node = Recorder()
        wheel.schedule(node, at: Self.start + 20_000_000_000)
        wheel.schedule(node, at: Self.start + 300_000_000)
        _ = Self.run(wheel, from: Self.start, until: Self.start + 1_000_000_000)
        #expect(node.firedAt.count == 1)
        let fired = node.firedAt.first ?? 0
        #expect(fired >= Self.start + 300_000_000 && fired <= Self.start + 300_000_000 + 2 * Self.tick)
    }

    /// `remove` is for a node that is closing: the wheel lets go of it at once, where `cancel`
    /// would keep it alive until its slot came round.
    @Test func removeDropsTheWheelsReferenceAtOnce() {
        let wheel = TimerWheel(now: Self.start)
        weak var removed: Recorder?
        weak var cancelled: Recorder?
        do {
            let a = Recorder()
            let b = Recorder()
            removed = a
            cancelled = b
            wheel.schedule(a, at: Self.start + 60_000_000_000)
            wheel.schedule(b, at: Self.start + 60_000_000_000)
            wheel.remove(a)
            wheel.cancel(b)
        }
        #expect(removed == nil)
        #expect(cancelled != nil)
        #expect(wheel.count == 1)
    }

    /// A node whose expiry closes another node of the same slot (a client timing out closes its
    /// upstream connection), or moves it, must leave the wheel consistent: a removed node does
    /// not fire afterwards, a moved one fires once, at its new deadline, and nothing is left.
    @Test func aHandlerMayRemoveOrMoveAnotherNodeOfTheSameSlot() {
        final class Closer: TimerNode {
            let wheel: TimerWheel
            var removeTarget: TimerNode?
            var moveTarget: (TimerNode, UInt64)?
            var firedAt: [UInt64] = []
            init(wheel: TimerWheel) { self.wheel = wheel }
            override func timerExpired(now: UInt64) {
                firedAt.append(now)
                if let removeTarget { wheel.remove(removeTarget) }
                if let (node, deadline) = moveTarget { wheel.schedule(node, at: deadline) }
            }
        }
        // Every filing order of the three nodes in one slot, so the closer runs first, between
        // and last whatever order the wheel walks a slot in.
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        for order in orders {
            let wheel = TimerWheel(now: Self.start)
            let closer = Closer(wheel: wheel)
            let removed = Recorder()
            let moved = Recorder()
            let deadline = Self.start + 200_000_000
            let later = deadline + 500_000_000
            let nodes: [TimerNode] = [closer, removed, moved]
            for i in order { wheel.schedule(nodes[i], at: deadline) }
            closer.removeTarget = removed
            closer.moveTarget = (moved, later)
            _ = Self.run(wheel, from: Self.start, until: Self.start + 2_000_000_000)
            #expect(closer.firedAt.count == 1)
            let closedAt = closer.firedAt.first ?? 0
            #expect(removed.firedAt.allSatisfy { $0 <= closedAt }, "order \(order): fired after its removal")
            #expect(removed.firedAt.count <= 1)
            // Fired before the closer ran (then the move re-armed it), or after, at the new deadline.
            #expect(moved.firedAt.filter { $0 > closedAt }.allSatisfy { $0 >= later }, "order \(order): fired at its old deadline")
            #expect(moved.firedAt.filter { $0 >= later }.count == 1, "order \(order): \(moved.firedAt)")
            #expect(wheel.count == 0, "order \(order)")
            #expect(wheel.millisecondsUntilNextTick(now: Self.start + 2_000_000_000) == -1)
        }
    }
}
