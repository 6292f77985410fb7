import Foundation
import TurnoutPosix
import Glibc

/// The state file: `RuntimeState` as JSON, written atomically on every change (a temporary
/// file in the same directory, fsync, rename, fsync of the directory) so a crash at any moment
/// leaves either the old state or the new one, never a torn file.
///
/// ```json
/// { "version": 1,
///   "splits": { "web": { "weights": { "blue": 90, "canary": 10 }, "previous": [ { "blue": 100, "canary": 0 } ] } },
///   "drained": { "blue": ["127.0.0.1:9001"] } }
/// ```
enum StateFile {
    static let version = 1

    /// Why a state file could not be used; the caller reports it and starts from the config.
    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    /// The state in `path`; nil when there is no file (a first start).
    static func load(path: String) throws(Unreadable) -> RuntimeState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Unreadable(description: "\(path): cannot read: \(error.localizedDescription)")
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Unreadable(description: "\(path): not a JSON object")
        }
        guard (root["version"] as? NSNumber)?.intValue == version else {
            throw Unreadable(description: "\(path): version: expected \(version)")
        }
        var state = RuntimeState()
        for (split, value) in root["splits"] as? [String: Any] ?? [:] {
            guard let entry = value as? [String: Any], let weights = weightTable(entry["weights"]) else {
                throw Unreadable(description: "\(path): splits.\(split).weights: expected pool names with non-negative integer weights")
            }
            state.weights[split] = weights
            let previous = entry["previous"] as? [Any] ?? []
            state.previous[split] = try previous.enumerated().map { (index, element) throws(Unreadable) in
                guard let table = weightTable(element) else {
                    throw Unreadable(description: "\(path): splits.\(split).previous[\(index)]: expected pool names with weights")
                }
                return table
            }
        }
        for (pool, value) in root["drained"] as? [String: Any] ?? [:] {
            guard let servers = value as? [String] else {
                throw Unreadable(description: "\(path): drained.\(pool): expected a list of server addresses")
            }
            state.drained[pool] = Set(servers)
        }
        return state
    }

    private static func weightTable(_ value: Any?) -> [String: Int]? {
        guard let object = value as? [String: Any] else { return nil }
        var table: [String: Int] = [:]
        for (pool, weight) in object {
            guard let number = weight as? NSNumber, let integer = Int(exactly: number.doubleValue), integer >= 0 else { return nil }
            table[pool] = integer
        }
        return table
    }

    /// Writes `state` to `path` atomically; throws with the reason when any step fails.
    static func save(_ state: RuntimeState, to path: String) throws(Unreadable) {
        var splits: [String: Any] = [:]
        for (split, weights) in state.weights {
            splits[split] = ["weights": weights, "previous": state.previous[split] ?? []]
        }
        let root: [String: Any] = [
            "version": version,
            "splits": splits,
            "drained": state.drained.mapValues { $0.sorted() },
        ]
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .prettyPrinted])
        } catch {
            throw Unreadable(description: "\(path): cannot encode the state: \(error)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let temporary = "\(path).tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Unreadable(description: "\(temporary): cannot create: \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { writeAll(descriptor, $0) }
        let synced = written && fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Unreadable(description: "\(path): cannot write: \(reason)")
        }
        // The rename itself is durable only once the directory is synced.
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}
