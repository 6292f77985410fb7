import Glibc
import TurnoutPosix

/// Runs a soak: spreads the plan's connections over its threads, holds them for a bounded time
/// while reporting how many are held, then closes them and merges what every thread counted.
public enum SoakRunner {
    /// Holds the connections of `plan` for `seconds`. Every `interval` seconds (and once at the
    /// end, before anything is closed) `observe` gets the held counts and the seconds elapsed,
    /// on the calling thread. Every wait is bounded: a thread that does not answer within
    /// `answerTimeout` seconds is left out of the figures (and the result says so).
    public static func run(_ plan: SoakPlan, seconds: Double, interval: Double = 0.25, answerTimeout: Double = 5,
                           observe: (SoakHeld, Double) -> Void = { _, _ in }) throws(Errno) -> SoakResult {
        let workers = try (0..<plan.threads).map { index throws(Errno) in try SoakWorker(index: index, plan: plan) }
        var threads: [pthread_t] = []
        for (index, worker) in workers.enumerated() {
            threads.append(LoopThread.start(name: "soak-\(index)") { worker.loop.run() })
            let share = { (count: Int) in count / workers.count + (index < count % workers.count ? 1 : 0) }
            let (slowloris, idle, fast) = (share(plan.slowloris), share(plan.idle), share(plan.fast))
            worker.loop.execute { worker.start(slowloris: slowloris, idle: idle, fast: fast) }
        }
        let started = monotonicNanoseconds()
        func elapsed() -> Double { Double(monotonicNanoseconds() - started) / 1e9 }
        var answering = true
        while answering && elapsed() < seconds {
            let pause = min(interval, seconds - elapsed())
            if pause > 0 { usleep(UInt32(pause * 1e6)) }
            answering = poll(workers, timeout: answerTimeout)
            observe(held(workers), elapsed())
        }
        // The end: stop every thread's connections and collect its counts.
        let finished = Latch()
        for worker in workers {
            worker.loop.execute {
                worker.finish()
                worker.loop.stop()
                finished.signal()
            }
        }
        var answered = 0
        for _ in workers where finished.wait(seconds: answerTimeout) { answered += 1 }
        var result = SoakResult(seconds: elapsed(), threadsAnswered: answered, threads: workers.count)
        guard answered == workers.count else { return result }
        for thread in threads { LoopThread.join(thread) }
        for worker in workers { result.tally.merge(worker.tally) }
        return result
    }

    /// Asks every thread to publish its held counts; false when one did not answer in time.
    private static func poll(_ workers: [SoakWorker], timeout: Double) -> Bool {
        let latch = Latch()
        for worker in workers {
            worker.loop.execute {
                worker.publish()
                latch.signal()
            }
        }
        return workers.allSatisfy { _ in latch.wait(seconds: timeout) }
    }

    private static func held(_ workers: [SoakWorker]) -> SoakHeld {
        var total = SoakHeld()
        for worker in workers {
            let held = worker.published.withLock { $0 }
            total.slowloris += held.slowloris
            total.idle += held.idle
            total.fast += held.fast
        }
        return total
    }
}

/// The outcome of a soak: the merged counts, and whether every thread answered.
public struct SoakResult: Sendable {
    public var tally = SoakTally()
    public var seconds: Double
    public var threadsAnswered: Int
    public var threads: Int

    init(seconds: Double, threadsAnswered: Int, threads: Int) {
        self.seconds = seconds
        self.threadsAnswered = threadsAnswered
        self.threads = threads
    }

    /// Every thread answered in time: the counts are complete.
    public var complete: Bool { threadsAnswered == threads }
}
