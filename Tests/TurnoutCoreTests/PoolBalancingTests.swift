import Testing
import TurnoutConfig
import TurnoutPosix
@testable import TurnoutCore

@Suite struct PoolBalancingTests {
    func pool(_ weights: [Int], balance: Balance) -> PoolRuntime {
        let servers = weights.enumerated().map { i, weight in
            ServerDefinition(address: SocketAddress(host: "127.0.0.1", port: UInt16(9000 + i))!, label: "127.0.0.1:\(9000 + i)", weight: weight)
        }
        return PoolRuntime(definition: PoolDefinition(name: "p", nameBytes: Array("p".utf8), servers: servers,
                                                      balance: balance, unavailableMask: 0), reusing: [], traffic: TrafficBook())
    }

    /// nginx's smooth weighted round robin with weights 5, 1, 1 yields the spread-out
    /// sequence a a b a c a a (not a a a a a b c).
    @Test func smoothRoundRobinSpreadsPicks() {
        let runtime = pool([5, 1, 1], balance: .roundRobin)
        var random = FastRandom(seed: 1)
        let sequence = (0..<7).compactMap { _ in runtime.pick(excluding: 0, random: &random) }
        #expect(sequence == [0, 0, 1, 0, 2, 0, 0])
    }

    @Test func exclusionSkipsTriedServers() {
        let runtime = pool([1, 1, 1], balance: .roundRobin)
        var random = FastRandom(seed: 1)
        for _ in 0..<10 { #expect(runtime.pick(excluding: 0b011, random: &random) == 2) }
        #expect(runtime.pick(excluding: 0b111, random: &random) == nil)
    }

    @Test func leastRequestPrefersTheLessBusyServer() {
        let runtime = pool([1, 1], balance: .leastRequest)
        runtime.servers[0].inFlight = 10
        var random = FastRandom(seed: 7)
        var picks = [0, 0]
        for _ in 0..<1_000 { picks[runtime.pick(excluding: 0, random: &random)!] += 1 }
        // Server 0 wins only when both draws land on it: about a quarter of the time.
        #expect(picks[1] > 650 && picks[0] > 150, "picks \(picks)")
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
