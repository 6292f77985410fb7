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
}
