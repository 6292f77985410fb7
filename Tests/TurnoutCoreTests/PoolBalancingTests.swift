import Testing
import TurnoutConfig
import TurnoutPosix
@testable import TurnoutCore

@Suite struct PoolBalancingTests {
    func pool(_ weights: [Int], balance: Balance, unavailable: ServerSet = ServerSet()) -> PoolRuntime {
        let servers = weights.enumerated().map { i, weight in
            ServerDefinition(address: SocketAddress(host: "127.0.0.1", port: UInt16(9000 + i))!, label: "127.0.0.1:\(9000 + i)", weight: weight)
        }
        return PoolRuntime(definition: PoolDefinition(name: "p", nameBytes: Array("p".utf8), servers: servers,
                                                      balance: balance, unavailable: unavailable), reusing: [], traffic: TrafficBook())
    }

    /// nginx's smooth weighted round robin with weights 5, 1, 1 yields the spread-out
    /// sequence a a b a c a a (not a a a a a b c).
    @Test func smoothRoundRobinSpreadsPicks() {
        let runtime = pool([5, 1, 1], balance: .roundRobin)
        var random = FastRandom(seed: 1)
        let sequence = (0..<7).compactMap { _ in runtime.pick(excluding: ServerSet(), random: &random) }
        #expect(sequence == [0, 0, 1, 0, 2, 0, 0])
    }

    @Test func exclusionSkipsTriedServers() {
        let runtime = pool([1, 1, 1], balance: .roundRobin)
        var random = FastRandom(seed: 1)
        for _ in 0..<10 { #expect(runtime.pick(excluding: ServerSet([0, 1]), random: &random) == 2) }
        #expect(runtime.pick(excluding: ServerSet([0, 1, 2]), random: &random) == nil)
    }

    @Test func leastRequestPrefersTheLessBusyServer() {
        let runtime = pool([1, 1], balance: .leastRequest)
        runtime.servers[0].inFlight = 10
        var random = FastRandom(seed: 7)
        var picks = [0, 0]
        for _ in 0..<1_000 { picks[runtime.pick(excluding: ServerSet(), random: &random)!] += 1 }
        // Server 0 wins only when both draws land on it: about a quarter of the time.
        #expect(picks[1] > 650 && picks[0] > 150, "picks \(picks)")
    }

    /// A pool of 200 with server 0 unavailable: every other server, 64, 128 and 192 among them
    /// (which shared server 0's bit when the set was one word indexed by `i & 63`), is picked.
    @Test(arguments: [Balance.roundRobin, .leastRequest])
    func largePoolSkipsOnlyTheUnavailableServer(balance: Balance) {
        let runtime = pool(Array(repeating: 1, count: 200), balance: balance, unavailable: ServerSet([0]))
        var random = FastRandom(seed: 3)
        var picks = Array(repeating: 0, count: 200)
        for _ in 0..<20_000 { picks[runtime.pick(excluding: ServerSet(), random: &random)!] += 1 }
        #expect(picks[0] == 0)
        for server in [1, 63, 64, 65, 127, 128, 192, 199] { #expect(picks[server] > 0, "server \(server): \(picks[server]) picks") }
        if balance == .roundRobin { #expect(picks[1...].allSatisfy { $0 == 20_000 / 199 || $0 == 20_000 / 199 + 1 }) }
    }

    /// Servers tried by a request are skipped past the first 64 too, and only they are.
    @Test func largePoolSkipsTriedServersPast64() {
        let runtime = pool(Array(repeating: 1, count: 200), balance: .roundRobin, unavailable: ServerSet([0]))
        var random = FastRandom(seed: 1)
        var tried = ServerSet(Array(1..<200).filter { $0 != 64 && $0 != 128 })
        var seen = Set<Int>()
        for _ in 0..<10 { seen.insert(runtime.pick(excluding: tried, random: &random)!) }
        #expect(seen == [64, 128])
        tried.insert(64)
        tried.insert(128)
        #expect(runtime.pick(excluding: tried, random: &random) == nil)
        #expect(!runtime.hasServer(excluding: tried))
        tried.removeAll()
        #expect(tried.isEmpty)
        #expect(runtime.hasServer(excluding: tried))
    }

    @Test func serverSetHoldsExactlyItsPositions() {
        var set = ServerSet([0, 63, 64, 127, 128, 191, 192, 500])
        for position in 0..<600 {
            #expect(set.contains(position) == [0, 63, 64, 127, 128, 191, 192, 500].contains(position), "\(position)")
        }
        #expect(set == ServerSet([500, 192, 191, 128, 127, 64, 63, 0]))
        #expect(set != ServerSet([0, 63, 64, 127, 128, 191, 192]))
        set.removeAll()
        #expect(set == ServerSet())
        #expect(set.isEmpty)
        #expect(!set.contains(64))
    }

    @Test func randomBelowStaysInRange() {
        var random = FastRandom(seed: 42)
        var seen = Set<Int>()
        for _ in 0..<10_000 {
            let value = random.below(7)
            #expect((0..<7).contains(value))
            seen.insert(value)
        }
        #expect(seen.count == 7)
    }
}
