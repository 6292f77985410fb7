import Glibc
import TurnoutLoad
import TurnoutMetrics

/// `turnout-bench soak URL --seconds S`: holds thousands of connections against a proxy for a
/// bounded time — slowloris heads that never end, idle keep-alive connections, and fast
/// keep-alive requests whose latency is recorded — and prints what each kind went through,
/// with the proxy's resident memory when its pid is given. Exits 2 if any fast request failed.
enum SoakCommand {
    static let usage = """
          soak URL --seconds S [--slowloris N] [--idle N] [--fast N] [--pid PID] [--threads T]
                   [--trickle-ms MS] [--pause-ms MS] [--timeout-ms MS]
                   hold slowloris, idle and fast keep-alive connections for S seconds; with --pid,
                   the proxy's RSS at start, at peak and at the end, and per held connection

        """

    /// One RSS reading of the proxy and the connections held when it was taken.
    struct MemorySample {
        var bytes: Int
        var held: Int
    }

    /// Parses the options, runs the soak, prints the report; 0, 1 (usage) or 2 (a fast request failed).
    static func run(arguments: [String]) -> Int32 {
        var options = BenchOptions(arguments)
        do {
            let seconds = try options.seconds("--seconds", default: 30, in: 1...86_400)
            let slowloris = try options.integer("--slowloris", default: 0, in: 0...1_000_000)
            let idle = try options.integer("--idle", default: 0, in: 0...1_000_000)
            let fast = try options.integer("--fast", default: 0, in: 0...1_000_000)
            let pid = try options.optionalInteger("--pid", in: 1...Int(Int32.max))
            let threads = try options.integer("--threads", default: 1, in: 1...64)
            let trickle = try options.integer("--trickle-ms", default: 300, in: 1...60_000)
            let pause = try options.integer("--pause-ms", default: 0, in: 0...60_000)
            let timeout = try options.integer("--timeout-ms", default: 5_000, in: 1...600_000)
            guard let url = options.positional() else { throw BenchUsageError("soak needs a URL like http://127.0.0.1:8080/") }
            try options.expectEmpty()
            guard slowloris + idle + fast > 0 else { throw BenchUsageError("soak needs --slowloris, --idle or --fast connections") }
            if let pid, ProcessResources.residentBytes(pid: Int32(pid)) == nil {
                throw BenchUsageError("--pid \(pid): cannot read /proc/\(pid)/status")
            }
            let target = try LoadCommand.plan(url: url, headers: [])
            var plan = SoakPlan(address: target.address, request: target.request, slowloris: slowloris, idle: idle, fast: fast, threads: threads)
            plan.trickleInterval = UInt64(trickle) * 1_000_000
            plan.fastPause = UInt64(pause) * 1_000_000
            plan.timeout = UInt64(timeout) * 1_000_000

            // Each connection is one descriptor here; a few dozen more for the loops and stdio.
            let needed = plan.connections + 64
            let limit = ProcessResources.raiseDescriptorLimit()
            print("soak \(url) for \(seconds) s: \(slowloris) slowloris (a byte every \(trickle) ms), \(idle) idle, \(fast) fast"
                  + (pause > 0 ? " (\(pause) ms apart)" : "") + ", on \(threads) thread\(threads == 1 ? "" : "s")")
            print("  descriptors  soft limit raised to the hard limit: \(limit == .max ? "unlimited" : String(limit)); the soak needs about \(needed)")
            if limit < needed {
                writeStandardError("turnout-bench soak: the open-files limit \(limit) is below the \(needed) descriptors needed; "
                                   + "connections beyond it fail with EMFILE (raise the hard limit: ulimit -Hn, or limits.conf)\n")
            }

            let proxy = pid.map { Int32($0) }
            let start = proxy.flatMap { ProcessResources.residentBytes(pid: $0) }
            var peak: MemorySample?
            // The first reading with every connection held: RSS growing from there to the end,
            // while slowloris connections churn, points at a leak.
            var full: MemorySample?
            var last: MemorySample?
            var mostHeld = 0
            let result = try SoakRunner.run(plan, seconds: Double(seconds)) { held, _ in
                mostHeld = max(mostHeld, held.total)
                guard let proxy, let bytes = ProcessResources.residentBytes(pid: proxy) else { return }
                let sample = MemorySample(bytes: bytes, held: held.total)
                if peak.map({ bytes > $0.bytes }) ?? true { peak = sample }
                if full == nil && held.total == plan.connections { full = sample }
                last = sample
            }
            // Let the proxy notice the closes before the last reading (bounded: one second).
            usleep(1_000_000)
            let released = proxy.flatMap { ProcessResources.residentBytes(pid: $0) }

            print(report(result, mostHeld: mostHeld, plan: plan))
            if let proxy {
                print(memoryReport(pid: proxy, start: start, full: full, peak: peak, end: last, released: released))
            }
            let tally = result.tally
            guard result.complete else {
                writeStandardError("turnout-bench soak: \(result.threads - result.threadsAnswered) of \(result.threads) threads did not answer; figures incomplete\n")
                return 2
            }
            return tally.fastFailures == 0 && (fast == 0 || tally.fastCompleted > 0) ? 0 : 2
        } catch {
            writeStandardError("turnout-bench soak: \(error)\n")
            return 1
        }
    }

    /// The connection table and each kind's figures.
    static func report(_ result: SoakResult, mostHeld: Int, plan: SoakPlan) -> String {
        let tally = result.tally
        func column(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        var lines = ["  held         most at once \(mostHeld) of \(plan.connections) (sampled every 250 ms)",
                     "  kind         held at end   peak held     opened   closed by proxy   errors"]
        for kind in SoakKind.allCases {
            let counts = tally[kind]
            lines.append("  " + kind.name + String(repeating: " ", count: 11 - kind.name.count)
                         + column(String(counts.heldAtEnd), 11) + column(String(counts.peakHeld), 12) + column(String(counts.opened), 11)
                         + column(String(counts.closedByProxy), 18) + column(String(counts.errors), 9))
        }
        if plan.slowloris > 0 {
            let heldFor = tally.slowlorisHeldFor
            lines.append("  slowloris    \(tally.slowloris408) answered 408 before the close; held until the proxy closed: "
                         + "min \(milliseconds(heldFor.min)) ms  p50 \(milliseconds(heldFor.value(atQuantile: 0.5))) ms  max \(milliseconds(heldFor.max)) ms")
        }
        if plan.idle > 0 {
            lines.append("  idle         \(tally.idleAnswered) requests answered 200, \(tally.idleFailures) failed (status, reset or timeout)")
        }
        if plan.fast > 0 {
            let latency = tally.fastLatency
            let fewest = tally.fastFewestCompleted == .max ? 0 : tally.fastFewestCompleted
            lines.append("  fast         \(tally.fastCompleted) requests completed (\(Int(Double(tally.fastCompleted) / max(result.seconds, 0.001)))/s), "
                         + "fewest on one connection \(fewest)")
            lines.append("  fast errors  \(tally.fastFailures): non-200 \(tally.fastNon200)  resets \(tally.fastResets)  timeouts \(tally.fastTimeouts)")
            lines.append("  fast latency p50 \(milliseconds(latency.value(atQuantile: 0.5))) ms  p99 \(milliseconds(latency.value(atQuantile: 0.99))) ms  "
                         + "p99.9 \(milliseconds(latency.value(atQuantile: 0.999))) ms  max \(milliseconds(latency.max)) ms")
        }
        return lines.joined(separator: "\n")
    }

    /// The proxy's RSS readings and the growth per held connection.
    static func memoryReport(pid: Int32, start: Int?, full: MemorySample?, peak: MemorySample?, end: MemorySample?, released: Int?) -> String {
        var lines = ["  proxy RSS    (pid \(pid)) start \(mebibytes(start))  all held \(mebibytes(full?.bytes))  "
                     + "peak \(mebibytes(peak?.bytes)) with \(peak?.held ?? 0) held  end \(mebibytes(end?.bytes)) with \(end?.held ?? 0) held  "
                     + "1 s after release \(mebibytes(released))"]
        if let start, let peak, peak.held > 0 {
            let perConnection = max(0, peak.bytes - start) / peak.held
            lines.append("  RSS per held connection  \(perConnection / 1024).\((perConnection % 1024) * 10 / 1024) KiB  ((peak - start) / held at peak)")
        }
        return lines.joined(separator: "\n")
    }

    /// Bytes as MiB with one decimal; "-" when there is no reading.
    private static func mebibytes(_ bytes: Int?) -> String {
        guard let bytes else { return "-" }
        let tenths = bytes * 10 / (1024 * 1024)
        return "\(tenths / 10).\(tenths % 10) MiB"
    }

    /// Nanoseconds as milliseconds with three decimals; "-" when nothing was recorded.
    private static func milliseconds(_ nanoseconds: UInt64?) -> String {
        guard let nanoseconds else { return "-" }
        let micro = Int(nanoseconds / 1_000)
        let fraction = String(micro % 1_000)
        return "\(micro / 1_000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
