import Glibc
import Testing
import TurnoutTestSupport
import TurnoutConfig
import TurnoutNotify
import TurnoutPosix

/// The command sink with real processes: the entry on standard input, the time limit, exit
/// statuses.
@Suite struct NotifierCommandTests {
    /// A fresh path under /tmp for this test; removed by the caller.
    static func temporaryPath(_ name: String) -> String {
        "/tmp/turnout-notify-\(getpid())-\(name)-\(monotonicNanoseconds())"
    }

    static func contents(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func theCommandReceivesEachEntryOnItsStandardInput() throws {
        let path = Self.temporaryPath("cat")
        defer { unlink(path) }
        let config = NotifyConfig(command: ["/bin/sh", "-c", "cat >> '\(path)'"], timeoutMs: 5_000)
        let notices = NotifierWebhookTests.Notices()
        let notifier = try Notifier(config: config, notice: notices.add)
        notifier.start()
        defer { notifier.stop(timeout: 1) }
        let entries = (0..<12).map { String(decoding: NotifierWebhookTests.entry($0), as: UTF8.self) }
        for entry in entries { notifier.enqueue(Array(entry.utf8)) }

        #expect(waitUntil(seconds: 20) { notifier.counters.commandSuccesses == 12 }, "counters \(notifier.counters); notices \(notices.all)")
        // Up to four run at once, so appends may interleave by line, never within one.
        let lines = Self.contents(path).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        #expect(lines.dropLast().map(String.init).sorted() == entries.sorted())
        let counters = notifier.counters
        #expect(counters.commandFailures == 0 && counters.commandTimeouts == 0 && counters.queued == 0)
    }

    @Test func aCommandPastItsTimeLimitIsKilledWithWhatItStarted() throws {
        let path = Self.temporaryPath("sleep")
        defer { unlink(path) }
        // The shell starts a sleep of its own and waits: killing only the shell would leave it.
        let config = NotifyConfig(command: ["/bin/sh", "-c", "sleep 30 & echo $! > '\(path)'; wait"], timeoutMs: 200)
        let notices = NotifierWebhookTests.Notices()
        let notifier = try Notifier(config: config, notice: notices.add)
        notifier.start()
        defer { notifier.stop(timeout: 1) }
        let started = monotonicNanoseconds()
        notifier.enqueue(NotifierWebhookTests.entry(0))

        #expect(waitUntil(seconds: 10) { notifier.counters.commandTimeouts == 1 }, "counters \(notifier.counters)")
        let elapsed = Double(monotonicNanoseconds() - started) / 1e9
        #expect(elapsed >= 0.19 && elapsed < 5, "killed after \(elapsed) s")
        #expect(notifier.counters.commandFailures == 0)
        #expect(notices.all.contains { $0.contains("ran longer than 200 ms") })
        // The background sleep went with the shell's process group (it may linger as a zombie
        // until init reaps it, but it does not run).
        let sleeper = Int32(Self.contents(path).split(separator: "\n").first ?? "") ?? 0
        #expect(sleeper > 1)
        #expect(waitUntil(seconds: 5) { Self.isGone(sleeper) }, "the sleep \(sleeper) survived its group's SIGKILL")
    }

    /// No such process, or a zombie: it does not run any more.
    static func isGone(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0 { return errno == ESRCH }
        let stat = contents("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].drop { $0 == " " }.hasPrefix("Z")
    }

    @Test func failuresAreCountedAndNotRetried() throws {
        let failing = try Notifier(config: NotifyConfig(command: ["/bin/sh", "-c", "cat > /dev/null; exit 3"]), notice: { _ in })
        failing.start()
        defer { failing.stop(timeout: 1) }
        let missing = try Notifier(config: NotifyConfig(command: ["/nonexistent/turnout-notify-command"]), notice: { _ in })
        missing.start()
        defer { missing.stop(timeout: 1) }
        for i in 0..<3 {
            failing.enqueue(NotifierWebhookTests.entry(i))
            missing.enqueue(NotifierWebhookTests.entry(i))
        }
        #expect(waitUntil(seconds: 10) { failing.counters.commandFailures == 3 && missing.counters.commandFailures == 3 })
        #expect(failing.counters.commandSuccesses == 0 && missing.counters.commandSuccesses == 0)
        #expect(waitUntil(seconds: 5) { failing.counters.queued == 0 && missing.counters.queued == 0 })
    }

    @Test func aCommandThatIgnoresItsInputDoesNotHurtTheProcess() throws {
        // `true` exits without reading: a large entry's write meets a closed pipe (EPIPE, not a
        // SIGPIPE that would end the test process).
        let notifier = try Notifier(config: NotifyConfig(command: ["/bin/true"]), notice: { _ in })
        notifier.start()
        defer { notifier.stop(timeout: 1) }
        let large = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<4 { notifier.enqueue(large) }
        #expect(waitUntil(seconds: 10) { notifier.counters.commandSuccesses == 4 }, "counters \(notifier.counters)")
    }
}
