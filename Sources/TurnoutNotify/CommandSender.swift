import Glibc
import TurnoutPosix

/// Runs the notification command once per entry, in history order, at most `maxRunning` at a
/// time; later entries wait in the queue. Each run gets the entry and a newline on its standard
/// input and `timeout_ms` to finish: past that it is killed (SIGKILL) and counted. A non-zero
/// exit is counted as a failure; commands are not retried (a command may have done half its
/// work, and only it knows whether repeating that is safe).
///
/// Children are reaped with waitpid(pid, WNOHANG) on the loop's timer, one tick apart while any
/// runs: no SIGCHLD handler, which would race other code of the process that spawns and waits
/// for its own children (Foundation's Process in the tests), and no reaping of anyone else's.
final class CommandSender: TimerNode {
    unowned let dispatcher: NotifyDispatcher
    let argv: [String]
    /// The sequence number of the next entry to run the command for.
    private(set) var cursor = 0
    private var running: [CommandRun] = []
    /// Whether the last run failed to start: one notice per failing streak, not per entry.
    private var spawnFailing = false

    /// Runs at once at most; more would let a slow command eat the machine during a burst.
    static let maxRunning = 4
    /// How often running children are looked at: one tick of the timer wheel.
    static let reapInterval = TimerWheel.tickNanoseconds

    var runningCount: Int { running.count }

    init(dispatcher: NotifyDispatcher, argv: [String]) {
        self.dispatcher = dispatcher
        self.argv = argv
        super.init()
    }

    /// Starts runs for waiting entries while fewer than `maxRunning` run.
    func kick() {
        var started = false
        while running.count < Self.maxRunning, let entry = dispatcher.entry(cursor) {
            cursor += 1
            started = true
            start(entry)
        }
        if !running.isEmpty && !isScheduled {
            dispatcher.loop.timers.schedule(self, at: monotonicNanoseconds() &+ Self.reapInterval)
        }
        if started { dispatcher.advanced() }
    }

    private func start(_ entry: [UInt8]) {
        let child: CommandSpawn.Child
        do {
            child = try CommandSpawn.spawn(argv)
        } catch {
            dispatcher.count { $0.commandFailures += 1 }
            if !spawnFailing {
                spawnFailing = true
                dispatcher.notice("notify: cannot start the command \(argv[0]): \(error)")
            }
            return
        }
        spawnFailing = false
        let run = CommandRun(sender: self, child: child, input: entry + [0x0A])
        running.append(run)
        run.begin()
    }

    /// The reaping tick: collects the runs that ended, then starts waiting entries.
    override func timerExpired(now: UInt64) {
        reap()
        kick()
        dispatcher.advanced()
    }

    private func reap() {
        var i = 0
        while i < running.count {
            let run = running[i]
            guard let exit = CommandSpawn.poll(run.pid) else {
                i += 1
                continue
            }
            running.remove(at: i)
            run.ended()
            record(exit, timedOut: run.timedOut)
        }
    }

    private func record(_ exit: CommandSpawn.Exit, timedOut: Bool) {
        let name = argv[0]
        let limit = dispatcher.settings.timeoutMs
        if timedOut {
            dispatcher.count { $0.commandTimeouts += 1 }
            dispatcher.notice("notify: the command \(name) ran longer than \(limit) ms and was killed")
            return
        }
        switch exit {
        case .exited(0):
            dispatcher.count { $0.commandSuccesses += 1 }
        case .exited(let code):
            dispatcher.count { $0.commandFailures += 1 }
            dispatcher.notice("notify: the command \(name) exited with status \(code)")
        case .signaled(let signal):
            dispatcher.count { $0.commandFailures += 1 }
            dispatcher.notice(signal == 0 ? "notify: the command \(name) was reaped by someone else; its status is unknown"
                                          : "notify: the command \(name) was killed by signal \(signal)")
        }
    }

    /// The notifier stops: kills every run, reaps it (briefly), and returns the entries given up
    /// (runs killed plus entries not started). `end` is the sequence number after the last entry.
    func shutdown(end: Int) -> Int {
        dispatcher.loop.timers.remove(self)
        let pending = max(end - cursor, 0) + running.count
        cursor = max(cursor, end)
        let runs = running
        running = []
        for run in runs { run.kill() }
        // SIGKILL cannot be caught, so the children die at once; reaping waits a little for that
        // (a child in uninterruptible sleep is left, not waited for: stop must return).
        var unreaped = runs
        let deadline = monotonicNanoseconds() &+ 200_000_000
        while !unreaped.isEmpty {
            unreaped.removeAll { run in
                guard CommandSpawn.poll(run.pid) != nil else { return false }
                run.ended()
                return true
            }
            if unreaped.isEmpty || monotonicNanoseconds() > deadline { break }
            usleep(1_000)
        }
        for run in unreaped { run.ended() }
        return pending
    }
}
