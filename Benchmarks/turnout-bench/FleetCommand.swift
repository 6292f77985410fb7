import Foundation
import Glibc
import TurnoutAdmin
import TurnoutControl

/// `turnout-bench fleet`: the measurements of a running fleet (SPEC §16) that need more precision
/// than a shell loop has, for `Benchmarks/fleet.sh`, which starts etcd and the instances. Each
/// prints Markdown table rows (`| figure | n | result |`), the script the table around them.
///
/// * `propagate`: how long a change made on one instance takes to be routed by the others
///   (`FleetCommand+Propagation.swift`);
/// * `failover`: how long a rollout goes unjudged when its leader is killed
///   (`FleetCommand+Failover.swift`);
/// * `writes`: how many writes a fleet makes to etcd, by whom, and their size
///   (`FleetCommand+Writes.swift`).
enum FleetCommand {
    static let usage = """
          fleet propagate --admin SOCKET --to NAME=PORT[,NAME=PORT…] [--changes N] [--split S] [--pools A,B] [--gap-ms MS]
                   a fleet's propagation: PUT /splits/S on one instance's admin SOCKET, all A then all B,
                   N times; each other instance polled in a tight keep-alive loop until its
                   X-Turnout-Pool says the new pool
          fleet failover --sockets NAME=SOCKET,… --pids NAME=PID,… [--split S] [--timeout-s T]
                   kill -9 the instance /status names as S's rollout leader; the seconds until
                   another is named, and until the rollout's looks grow again (one line, key=value)
          fleet writes --etcd URL --prefix P --seconds S [--label TEXT] [--split S] [--sizes]
                   etcd's revisions under P for S seconds: per second, per instance and per key;
                   with --sizes, the size of the state and of S's evidence values

        """

    static func run(arguments: [String]) -> Int32 {
        var options = BenchOptions(Array(arguments.dropFirst()))
        do {
            switch arguments.first {
            case "propagate": return try propagation(&options)
            case "failover": return try failover(&options)
            case "writes": return try writes(&options)
            default: throw BenchUsageError("fleet expects propagate, failover or writes\n" + usage)
            }
        } catch {
            writeStandardError("turnout-bench fleet: \(error)\n")
            return 1
        }
    }

    /// `name=value,name=value` as (name, value) pairs, in the order given.
    static func pairs(_ text: String, option: String) throws -> [(name: String, value: String)] {
        try text.split(separator: ",").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw BenchUsageError("\(option) expects NAME=VALUE,NAME=VALUE…, got \"\(text)\"")
            }
            return (String(parts[0]), String(parts[1]))
        }
    }

    /// One admin call answered 200, decoded as `Document`.
    static func document<Document: Decodable>(_ type: Document.Type, _ client: AdminClient, _ path: String) throws -> Document {
        let answer = try client.send("GET", path)
        guard answer.status == 200 else { throw BenchUsageError("GET \(path): \(answer.status) \(answer.body.prefix(200))") }
        return try DocumentJSON.decode(type, from: answer.body)
    }

    /// The value at quantile `q` of `values` (nearest rank below), nil when there are none.
    static func quantile(_ values: [Double], _ q: Double) -> Double? {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return nil }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))]
    }

    /// Milliseconds with two decimals, signed.
    static func milliseconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        return String(format: "%.2f ms", value)
    }

    static func row(_ cells: String...) -> String { "| " + cells.joined(separator: " | ") + " |" }
}
