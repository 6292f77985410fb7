import Glibc
import TurnoutMetrics
import TurnoutPosix

/// `turnout-bench micro`: the data path's recording costs in isolation, per operation, as the
/// median of several timed runs — the figures behind "recording metrics costs N ns a request".
enum MicroCommand {
    static let usage = """
          micro [--iterations N] [--runs R]
                   nanoseconds per clock read, histogram record and per-request traffic record

        """

    static func run(arguments: [String]) -> Int32 {
        var options = BenchOptions(arguments)
        do {
            let iterations = try options.integer("--iterations", default: 5_000_000, in: 1_000...1_000_000_000)
            let runs = try options.integer("--runs", default: 7, in: 1...100)
            try options.expectEmpty()
            var random = UInt64(0x9E37_79B9_7F4A_7C15)
            func next() -> UInt64 {
                random ^= random << 13; random ^= random >> 7; random ^= random << 17
                return random
            }
            var latencies = [UInt64](repeating: 0, count: 4096)
            for i in latencies.indices { latencies[i] = 50_000 + next() % 5_000_000 }

            var sink: UInt64 = 0
            report("monotonicNanoseconds()", runs: runs, iterations: iterations) {
                for _ in 0..<iterations { sink &+= monotonicNanoseconds() }
            }
            var histogram = Histogram()
            report("Histogram.record", runs: runs, iterations: iterations) {
                for i in 0..<iterations { histogram.record(latencies[i & 4095]) }
            }
            // What one proxied request adds: two clock reads (attempt start, response head), a
            // third at the end, one response with two histograms, and the byte counts.
            let cell = TrafficCellBox()
            report("one request's recording (3 clock reads + TrafficStats)", runs: runs, iterations: iterations) {
                for i in 0..<iterations {
                    let start = monotonicNanoseconds()
                    let head = monotonicNanoseconds()
                    let end = monotonicNanoseconds() &+ latencies[i & 4095]
                    cell.stats.recordResponse(status: 200, latencyNanoseconds: end &- start, firstByteNanoseconds: head &- start)
                    cell.stats.recordBytes(sent: 120, received: 240)
                }
            }
            if sink == 42 { print("") }
            return 0
        } catch {
            writeStandardError("turnout-bench micro: \(error)\n")
            return 1
        }
    }

    /// The proxy keeps its stats in a class the server runtime points at; the same here.
    final class TrafficCellBox { var stats = TrafficStats() }

    private static func report(_ name: String, runs: Int, iterations: Int, _ body: () -> Void) {
        body()  // warm up
        var perOperation: [Double] = []
        for _ in 0..<runs {
            let start = monotonicNanoseconds()
            body()
            perOperation.append(Double(monotonicNanoseconds() - start) / Double(iterations))
        }
        perOperation.sort()
        let median = perOperation[perOperation.count / 2]
        let tenths = Int((median * 10).rounded())
        let figure = "\(tenths / 10).\(tenths % 10) ns"
        print(name + String(repeating: " ", count: max(1, 58 - name.count)) + String(repeating: " ", count: max(0, 10 - figure.count)) + figure)
    }
}
