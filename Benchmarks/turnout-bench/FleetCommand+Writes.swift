import Foundation
import Glibc
import TurnoutControl
import TurnoutEtcd
import TurnoutPosix

/// `fleet writes`: what a fleet writes to etcd over some seconds. etcd's revision is read at the
/// start and the end (every put, transaction with a write, or delete raises it by one; lease
/// grants and keep-alives do not), and a watch on the prefix sees every write in between: each
/// revision is put down to the instance that made it and to the kind of key it wrote (a
/// transaction writing the state and history entries is one revision). The state key and the
/// evidence values are then read for their size, which is what each such write carries.
extension FleetCommand {
    /// Who made one revision, and what it wrote.
    struct Write {
        var instance: String
        var kind: String
        var bytes: Int
    }

    static func writes(_ options: inout BenchOptions) throws -> Int32 {
        let url = try options.required("--etcd")
        let keys = FleetKeys(prefix: try options.required("--prefix"))
        let duration = try options.integer("--seconds", default: 60, in: 1...3_600)
        let label = options.value("--label") ?? "the fleet"
        let split = options.value("--split") ?? "web"
        let sizes = options.flag("--sizes")
        try options.expectEmpty()
        let client = EtcdClient(endpoints: [try EtcdEndpoint(url: url)], timeout: 5)

        // Who leads what as the window opens; the watch follows the changes.
        let before = try client.range(prefix: keys.leaders)
        var leaders: [String: String] = [:]
        for kv in before.kvs {
            if case .leader(let name) = keys.kind(of: kv.key), let claim = try? JSONDecoder().decode(LeaderClaim.self, from: Data(kv.value)) {
                leaders[name] = claim.instance
            }
        }
        let start = before.header.revision
        let watch = try client.watch(key: keys.prefix, rangeEnd: EtcdCodec.prefixEnd(keys.prefix), startRevision: start + 1, previousKV: true)
        defer { watch.cancel() }
        let opened = monotonicNanoseconds()
        var messages: [EtcdWatchMessage] = []
        while Double(monotonicNanoseconds() - opened) / 1e9 < Double(duration) {
            if let message = try watch.next(timeout: 0.5) { messages.append(message) }
        }
        let end = try client.range(keys.state).header.revision
        // The events up to `end` may still be on their way: read until they are in (5 s at most).
        for _ in 0..<10 where (messages.last?.header.revision ?? start) < end {
            if let message = try watch.next(timeout: 0.5) { messages.append(message) }
        }
        let seconds = Double(monotonicNanoseconds() - opened) / 1e9

        var byRevision: [Int64: Write] = [:]
        for event in messages.flatMap(\.events) where event.kv.modRevision <= end {
            let revision = event.kv.modRevision
            let (instance, kind) = attribute(event, keys: keys, leaders: &leaders, split: split)
            var write = byRevision[revision] ?? Write(instance: instance, kind: kind, bytes: 0)
            // A change is one transaction: the state and its history entries, whose instance
            // (who took the change) beats the leader guessed from the state alone.
            if Set([write.kind, kind]) == ["state", "history"] { write.kind = "state+history" }
            if kind == "history" { write.instance = instance }
            write.bytes += event.kv.value.count
            byRevision[revision] = write
        }
        let revisions = Double(end - start)
        let perSecond = { (count: Int) in String(format: "%.2f", Double(count) / seconds) }
        func tally(_ key: (Write) -> String) -> String {
            Dictionary(grouping: byRevision.values, by: key).sorted { $0.key < $1.key }
                .map { "\($0.key) \(perSecond($0.value.count))" }.joined(separator: ", ")
        }
        let bytes = byRevision.values.reduce(0) { $0 + $1.bytes }
        print(row("etcd revisions/s, \(label)", String(format: "%.0f s", seconds),
                  "\(String(format: "%.2f", revisions / seconds))/s (\(end - start) revisions, \(byRevision.count) seen under the prefix, "
                  + "\(String(format: "%.1f", Double(bytes) / seconds / 1024)) KiB/s of values); by instance: \(tally(\.instance)); "
                  + "by key: \(tally(\.kind))"))

        // What each write carries.
        guard sizes else { return 0 }
        if let state = try client.range(keys.state).kvs.first {
            print(row("size of the `state` value, \(label)", "1", "\(state.value.count) bytes"))
        }
        let evidence = try client.range(prefix: keys.evidence(of: split)).kvs
        for kv in evidence {
            print(row("size of `\(kv.key.dropFirst(keys.prefix.count))`, \(label)", "1", "\(kv.value.count) bytes"))
        }
        return 0
    }

    /// The instance that wrote `event`'s key and the key's kind. A state put without a history
    /// entry is a rollout's look or step, made by its leader.
    private static func attribute(_ event: EtcdWatchEvent, keys: FleetKeys, leaders: inout [String: String], split: String)
        -> (instance: String, kind: String)
    {
        let kv = event.kv
        let decoder = JSONDecoder()
        switch keys.kind(of: kv.key) {
        case .state:
            return (leaders[split] ?? "?", "state")
        case .history:
            let entry = try? decoder.decode(HistoryEntry.self, from: Data(kv.value))
            return (event.kind == .delete ? "trim" : entry?.instance ?? "?", event.kind == .delete ? "history trim" : "history")
        case .instance(let name):
            return (name, event.kind == .delete ? "instances/ (gone)" : "instances/")
        case .leader(let name):
            let claim = (event.kind == .put ? kv : event.previous).flatMap { try? decoder.decode(LeaderClaim.self, from: Data($0.value)) }
            leaders[name] = event.kind == .put ? claim?.instance : nil
            return (claim?.instance ?? "?", event.kind == .delete ? "leaders/ (released)" : "leaders/")
        case .evidence:
            let instance = kv.key.split(separator: "/").last.map(String.init) ?? "?"
            return (instance, event.kind == .delete ? "evidence/ (gone)" : "evidence/")
        case .other:
            return ("?", "other")
        }
    }
}
