import Foundation
import Synchronization
import Testing
import TurnoutAdmin
import TurnoutPosix

/// Changes through the admin socket while client threads keep sending keep-alive requests:
/// not one request fails or loses its connection, and every request sent after a change was
/// acknowledged and answered before the next change began is routed by that change.
@Suite struct SwitchUnderLoadTests {
    /// What the clients can check: the change sequence, bumped around each admin call.
    final class Epochs: Sendable {
        /// Number of changes begun (bumped before the admin call).
        let begun = Atomic<Int>(0)
        /// Number of changes acknowledged (bumped after the admin call returned).
        let done = Atomic<Int>(0)
    }

    struct Observation {
        let epoch: Int
        let pool: String
    }

    @Test func fiftyChangesUnderKeepAliveLoadFailNothingAndTakeEffectAtOnce() throws {
        let admin = try AdminEndToEndTests.Admin()
        defer { admin.stop() }
        let port = admin.setup.server.listenAddresses[0].port
        let epochs = Epochs()
        let stop = Atomic<Bool>(false)
        // Change k (1-based) leaves these weights; 0 is the configuration's (blue 100).
        var plan: [[String: Int]] = [["blue": 100, "canary": 0]]
        for k in 1...60 {
            switch k % 6 {
            case 0: plan.append(["blue": 75, "canary": 25])       // a weighted split
            case 1, 3: plan.append(["blue": 0, "canary": 100])
            default: plan.append(["blue": 100, "canary": 0])
            }
        }
        let failures = Mutex<[String]>([])
        let observations = Mutex<[Observation]>([])
        let clientCount = 4
        let finished = Latch()
        for index in 0..<clientCount {
            LoopThread.start(name: "switch-client") {
                defer { finished.signal() }
                do {
                    let client = try TestClient(port: port, timeoutSeconds: 10)
                    var seen: [Observation] = []
                    var sent = 0
                    while !stop.load(ordering: .acquiring) && sent < 200_000 {
                        let before = epochs.done.load(ordering: .acquiring)
                        let response = try client.request("GET", "/")
                        let after = epochs.begun.load(ordering: .acquiring)
                        sent += 1
                        guard response.status == 200 else { throw TestClient.Failure(description: "status \(response.status)") }
                        // Only requests wholly inside one epoch say which weights routed them.
                        if before == after { seen.append(Observation(epoch: before, pool: response.text)) }
                    }
                    observations.withLock { $0 += seen }
                } catch {
                    failures.withLock { $0.append("client \(index): \(error)") }
                }
            }
        }
        for k in 1...60 {
            usleep(k % 6 == 0 ? 150_000 : 25_000)
            epochs.begun.add(1, ordering: .releasing)
            let body = "{" + plan[k].sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
            let answer = k % 2 == 1 && plan[k]["canary"] == 100
                ? try admin.client.send("POST", "/splits/web/switch", body: #"{"to": "canary"}"#)
                : try admin.client.send("PUT", "/splits/web", body: body)
            #expect(answer.status == 200, "change \(k): \(answer.body)")
            epochs.done.add(1, ordering: .releasing)
        }
        usleep(50_000)
        stop.store(true, ordering: .releasing)
        for _ in 0..<clientCount { #expect(finished.wait(seconds: 30), "a client thread did not finish") }

        #expect(failures.withLock { $0 } == [])
        let seen = observations.withLock { $0 }
        #expect(seen.count > 500, "enough requests were observed: \(seen.count)")
        var weighted: [String: Int] = [:]
        for observation in seen {
            let weights = plan[observation.epoch]
            switch (weights["blue"], weights["canary"]) {
            case (100, _): #expect(observation.pool == "blue\n", "epoch \(observation.epoch)")
            case (0, _): #expect(observation.pool == "canary\n", "epoch \(observation.epoch)")
            default: weighted[observation.pool, default: 0] += 1
            }
        }
        // Across the 75/25 epochs the canary's share is 25 % within a generous bound.
        let total = weighted.values.reduce(0, +)
        #expect(total > 200, "weighted epochs observed: \(total)")
        let share = Double(weighted["canary\n"] ?? 0) / Double(max(total, 1))
        let sigma = (0.25 * 0.75 / Double(max(total, 1))).squareRoot()
        #expect(abs(share - 0.25) < 5 * sigma + 0.01, "canary share \(share) over \(total) requests")
        // Each client kept its one connection through every change.
        #expect(try #require(admin.setup.server.counters()).acceptedConnections == clientCount)
        let history = try admin.call("GET", "/history").json["entries"] as? [Any]
        #expect(history?.count == 60)
    }
}
