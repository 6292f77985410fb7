import CTurnoutAllocCounter
import Glibc
import TurnoutConfig
import TurnoutCore
import TurnoutFixture
import TurnoutHTTP
import TurnoutMetrics
import TurnoutPosix

/// `turnout-bench micro`: the data path's recording costs in isolation, per operation, as the
/// median of several timed runs — the figures behind "recording metrics costs N ns a request".
enum MicroCommand {
    static let usage = """
          micro [--iterations N] [--runs R]
                   nanoseconds per clock read, histogram record, per-request traffic record, request
                   head parse and routing decision; heap allocations per proxied request

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
            try parsingAndRouting(runs: runs, iterations: iterations / 10)
            try allocationsPerRequest(requests: 20_000)
            if sink == 42 { print("") }
            return 0
        } catch {
            writeStandardError("turnout-bench micro: \(error)\n")
            return 1
        }
    }

    /// A request as a browser sends it: 13 fields, a cookie, about 700 bytes.
    static let browserRequest = Array("""
        GET /products/42?ref=home HTTP/1.1\r
        Host: shop.example.com\r
        User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r
        Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r
        Accept-Language: en-US,en;q=0.9\r
        Accept-Encoding: gzip, deflate, br\r
        Cookie: theme=dark; session_id=alice; _ga=GA1.2.1234567890.1700000000\r
        Referer: https://shop.example.com/\r
        Sec-Fetch-Dest: document\r
        Sec-Fetch-Mode: navigate\r
        Sec-Fetch-Site: same-origin\r
        Upgrade-Insecure-Requests: 1\r
        Connection: keep-alive\r
        \r

        """.utf8)

    /// The request head parser over the browser request, and the routing decision for it under
    /// the demo's routes (two field matches, then a sticky split).
    static func parsingAndRouting(runs: Int, iterations: Int) throws {
        var parser = RequestHeadParser(limits: HTTPLimits())
        var head = RequestHead()
        var parsed = 0
        report("request head parse (\(browserRequest.count) bytes, browser-like)", runs: runs, iterations: iterations) {
            browserRequest.withUnsafeBytes { bytes in
                for _ in 0..<iterations {
                    parser.reset()
                    if case .complete = parser.parse(bytes, into: &head) { parsed &+= 1 }
                }
            }
        }
        let config = try ConfigLoader.decode(Array("""
            { "listen": ["127.0.0.1:0"],
              "pools": { "blue": { "servers": ["127.0.0.1:9001"] }, "canary": { "servers": ["127.0.0.1:9002"] } },
              "splits": { "web": { "blue": 90, "canary": 10 } },
              "routes": [ { "match": { "header": { "x-turnout-pool": "canary" } }, "pool": "canary" },
                          { "match": { "cookie": { "canary": "1" } }, "pool": "canary" },
                          { "match": { "path_prefix": "/" }, "split": "web", "sticky": { "cookie": "session_id" } } ] }
            """.utf8), source: "micro benchmark")
        let table = try RoutingTable(config: config)
        var pools = 0
        report("routing decision (2 field routes, then a sticky split)", runs: runs, iterations: iterations) {
            browserRequest.withUnsafeBytes { bytes in
                for i in 0..<iterations {
                    if case .pool(let index, _) = table.route(head, source: bytes, randomBucket: i % StickyHash.bucketCount) { pools &+= index }
                }
            }
        }
        if parsed == -1 || pools == -1 { print("") }
    }

    /// Heap allocations the worker thread makes per proxied request in steady state: an
    /// in-process proxy (1 worker) in front of a fixture upstream, one keep-alive client.
    static func allocationsPerRequest(requests: Int) throws {
        // The counter must see allocations at all, or a zero below would mean nothing.
        let probe = turnout_thread_allocations()
        let block = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        block.deallocate()
        guard turnout_thread_allocations() > probe else { throw BenchUsageError("the allocation counter is not in effect") }
        let upstream = try FixtureUpstream(name: "blue")
        upstream.start()
        defer { upstream.stop() }
        let config = try ConfigLoader.decode(Array("""
            { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": null, "admin": { "socket": null },
              "pools": { "blue": { "servers": ["\(upstream.address)"] } }, "routes": [ { "pool": "blue" } ] }
            """.utf8), source: "micro benchmark")
        let server = try ProxyServer(config: config)
        server.start()
        defer { server.stop(graceful: false) }
        let client = try KeepAliveConnection(port: server.listenAddresses[0].port)
        for _ in 0..<requests { guard client.get() != nil else { throw BenchUsageError("the proxy stopped answering") } }
        guard let before = server.onEveryWorker({ turnout_thread_allocations() })?.reduce(0, +) else {
            throw BenchUsageError("a worker did not answer")
        }
        for _ in 0..<requests { guard client.get() != nil else { throw BenchUsageError("the proxy stopped answering") } }
        guard let after = server.onEveryWorker({ turnout_thread_allocations() })?.reduce(0, +) else {
            throw BenchUsageError("a worker did not answer")
        }
        let perRequest = Double(after - before) / Double(requests)
        let hundredths = Int((perRequest * 100).rounded())
        print("heap allocations per proxied request (worker thread)     "
              + "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)  (\(after - before) over \(requests) requests)")
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
