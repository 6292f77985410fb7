import TurnoutConfig
import TurnoutPosix

/// A switch's preflight (SPEC §5): each check of the guard sent straight to each server that
/// will take the switched traffic (not through the proxy), every request on a fresh connection
/// (`ProbeExchange`, as the health checks send theirs), reading the status and the body's first
/// 64 KiB.
///
/// It runs on an event loop of its own, on the calling thread: the admin thread, where a slow
/// call delays other admin calls and never a proxied request. The exchanges run concurrently,
/// at most `maxConnections` at a time; each has `timeoutMs`, and the whole preflight
/// `budgetNanoseconds` (8 s, under the 10 s that `turnout ctl` waits for an answer), after
/// which what has not answered is reported as not checked. So a switch's preflight never holds
/// the admin thread longer than that.
struct Preflight {
    /// One request of the preflight: a check on a server.
    struct Target: Sendable, Equatable {
        var server: ServerAddress
        var check: PreflightCheck
    }

    /// What became of one target.
    enum Outcome: Sendable, Equatable {
        /// An answer came back; whether it is the one expected is `PreflightResult`'s to say.
        case answered(ProbeExchange.Answer)
        case failed(ProbeExchange.Failure)
        /// `timeoutMs` passed while connecting, or while waiting for the answer.
        case timedOut(connecting: Bool)
        /// The whole preflight's budget ran out before this request finished (or started).
        case unchecked
        /// The server's host is a name, and Turnout connects to numeric addresses only.
        case unusableAddress
    }

    /// The most body bytes read per answer: what `body_contains` is looked for in.
    static let bodyLimit = 64 * 1024
    /// The largest answer head accepted.
    static let headLimit = 16 * 1024
    /// Connections open at once: a pool of many servers is checked in waves rather than with
    /// hundreds of descriptors at once.
    static let maxConnections = 32
    /// The whole preflight's limit unless told otherwise.
    static let defaultBudgetNanoseconds: UInt64 = 8_000_000_000

    let targets: [Target]
    /// Each request's limit, from connect to the answer's end (or its first 64 KiB).
    let timeoutMs: Int
    /// The whole preflight's limit.
    var budgetNanoseconds = Preflight.defaultBudgetNanoseconds

    /// The outcome of every target, in the order of `targets`. Throws only when the preflight
    /// cannot start at all (no descriptor for its event loop).
    func run() throws(Errno) -> [Outcome] {
        guard !targets.isEmpty else { return [] }
        let loop = try EventLoop(index: -3, bufferSize: 4096)
        let run = PreflightRun(targets: targets, loop: loop,
                               timeoutNanoseconds: UInt64(timeoutMs) * 1_000_000)
        return run.execute(slots: min(Self.maxConnections, targets.count), budget: budgetNanoseconds)
    }
}

/// The state of one preflight on its loop: which targets are done, and the slots (one
/// connection each) that take the next target as they finish.
private final class PreflightRun {
    let targets: [Preflight.Target]
    unowned let loop: EventLoop
    let timeoutNanoseconds: UInt64
    var outcomes: [Preflight.Outcome?]
    private var next = 0
    private var finished = 0
    private var stopping = false

    init(targets: [Preflight.Target], loop: EventLoop, timeoutNanoseconds: UInt64) {
        self.targets = targets
        self.loop = loop
        self.timeoutNanoseconds = timeoutNanoseconds
        outcomes = Array(repeating: nil, count: targets.count)
    }

    /// Runs every target, `slots` at a time, within `budget`; every outcome.
    func execute(slots count: Int, budget: UInt64) -> [Preflight.Outcome] {
        let slots = (0..<count).map { _ in PreflightSlot(run: self) }
        let deadline = Deadline(run: self)
        for slot in slots { slot.takeNext() }
        if finished < targets.count {
            loop.timers.schedule(deadline, at: monotonicNanoseconds() &+ budget)
            loop.run()
        }
        // Whatever is still open closes here, and nothing on the wheel or in the epoll set
        // keeps the loop (its descriptors close when it goes) or the slots alive.
        loop.timers.remove(deadline)
        for slot in slots { slot.stop() }
        return outcomes.map { $0 ?? .unchecked }
    }

    /// The index of the next target to start, if any is left.
    func take() -> Int? {
        guard !stopping, next < targets.count else { return nil }
        defer { next += 1 }
        return next
    }

    func record(_ outcome: Preflight.Outcome, for index: Int) {
        outcomes[index] = outcome
        finished += 1
        if finished == targets.count { stop() }
    }

    /// Ends the loop's run once (a second posted stop would outlive the run and keep the loop).
    func stop() {
        guard !stopping else { return }
        stopping = true
        loop.stop()
    }

    /// The whole preflight's budget.
    private final class Deadline: TimerNode {
        unowned let run: PreflightRun
        init(run: PreflightRun) { self.run = run }
        override func timerExpired(now: UInt64) { run.stop() }
    }
}

/// One connection of a preflight: sends its target's request, records the outcome, and takes
/// the next target until none is left.
private final class PreflightSlot: TimerNode, EventHandler {
    unowned let run: PreflightRun
    private var exchange = ProbeExchange(headLimit: Preflight.headLimit, bodyLimit: Preflight.bodyLimit)
    private var current: Int?

    init(run: PreflightRun) { self.run = run }

    /// Starts targets until one is under way or none is left. A loop, not a recursion: a run
    /// of connections refused at once finishes here.
    func takeNext() {
        while let index = run.take() {
            let target = run.targets[index]
            guard let address = SocketAddress(host: target.server.host, port: target.server.port) else {
                run.record(.unusableAddress, for: index)
                continue
            }
            let request = ProbeExchange.request(path: target.check.path, host: target.server.description, userAgent: "turnout-preflight")
            if let failure = exchange.start(to: address, request: request, on: run.loop, handler: self) {
                run.record(.failed(failure), for: index)
                continue
            }
            current = index
            run.loop.timers.schedule(self, at: monotonicNanoseconds() &+ run.timeoutNanoseconds)
            return
        }
    }

    func handleEvents(_ events: UInt32) {
        guard let index = current, let outcome = exchange.handle(events) else { return }
        switch outcome {
        case .answered(let answer): done(index, .answered(answer))
        case .failed(let failure): done(index, .failed(failure))
        }
    }

    override func timerExpired(now: UInt64) {
        guard let index = current else { return }
        let connecting = exchange.isConnecting
        exchange.cancel()
        done(index, .timedOut(connecting: connecting))
    }

    private func done(_ index: Int, _ outcome: Preflight.Outcome) {
        run.loop.timers.cancel(self)
        current = nil
        run.record(outcome, for: index)
        takeNext()
    }

    /// Closes what is open (the budget ran out) and leaves the loop's wheel.
    func stop() {
        exchange.cancel()
        current = nil
        run.loop.timers.remove(self)
    }
}
