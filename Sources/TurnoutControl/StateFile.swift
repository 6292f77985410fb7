import Foundation
import TurnoutPosix
import TurnoutRollout
import Glibc

/// The state file: `RuntimeState` as JSON, written atomically on every change (a temporary
/// file in the same directory, fsync, rename, fsync of the directory) so a crash at any moment
/// leaves either the old state or the new one, never a torn file. The same document is the
/// value of a fleet's state key in etcd.
///
/// ```json
/// { "version": 2,
///   "splits": { "web": { "weights": { "blue": 90, "canary": 10 }, "previous": [ { "blue": 100, "canary": 0 } ] } },
///   "drained": { "blue": ["127.0.0.1:9001"] },
///   "rollouts": { "web": { "plan": { … }, "state": { "running": { "step": 1 } }, "analyzer": { … }, … } } }
/// ```
/// Version 1 files (before rollouts) are read as well, and so are rollouts saved before their
/// `state` existed; their fields (`phase`, `stepIndex`, …) are still written beside it for an
/// earlier Turnout (see `Rollout.init(from:)`).
enum StateFile {
    static let version = 2

    /// The document as written.
    struct Document: Codable {
        struct Split: Codable {
            var weights: [String: Int]
            var previous: [[String: Int]]?
        }
        var version: Int
        var splits: [String: Split]?
        var drained: [String: [String]]?
        var rollouts: [String: Rollout]?
        /// Guarded switches (absent before them, and when there is none).
        var guards: [String: GuardedSwitch]?
    }

    /// The state in `path`; nil when there is no file (a first start).
    static func load(path: String) throws(RuntimeStoreError) -> RuntimeState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .failed("\(path): cannot read: \(error.localizedDescription)")
        }
        return try decode(data, source: path)
    }

    /// The state a document holds; `source` names where it came from in errors (a path, an etcd key).
    static func decode(_ data: Data, source: String) throws(RuntimeStoreError) -> RuntimeState {
        let document: Document
        do {
            document = try decoder.decode(Document.self, from: data)
        } catch {
            throw .failed("\(source): not a Turnout state document: \(describe(error))")
        }
        guard (1...version).contains(document.version) else {
            throw .failed("\(source): version \(document.version): this Turnout reads versions 1 to \(version)")
        }
        var state = RuntimeState()
        for (split, entry) in document.splits ?? [:] {
            for table in [entry.weights] + (entry.previous ?? []) where table.values.contains(where: { $0 < 0 }) {
                throw .failed("\(source): splits.\(split): weights must be non-negative integers")
            }
            state.weights[split] = entry.weights
            state.previous[split] = entry.previous ?? []
        }
        for (pool, servers) in document.drained ?? [:] { state.drained[pool] = Set(servers) }
        state.rollouts = document.rollouts ?? [:]
        state.guards = document.guards ?? [:]
        return state
    }

    /// `state` as the document's JSON (keys sorted, so equal states are equal bytes).
    static func encode(_ state: RuntimeState) throws(RuntimeStoreError) -> Data {
        let document = Document(
            version: version,
            splits: Dictionary(uniqueKeysWithValues: state.weights.map { ($0.key, Document.Split(weights: $0.value, previous: state.previous[$0.key] ?? [])) }),
            drained: state.drained.mapValues { $0.sorted() },
            rollouts: state.rollouts,
            guards: state.guards.isEmpty ? nil : state.guards)
        do {
            return try encoder.encode(document)
        } catch {
            throw .failed("cannot encode the runtime state: \(error)")
        }
    }

    /// Writes `state` to `path` atomically; throws with the reason when any step fails.
    static func save(_ state: RuntimeState, to path: String) throws(RuntimeStoreError) {
        let data = try encode(state)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let temporary = "\(path).tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .failed("\(temporary): cannot create: \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { writeAll(descriptor, $0) }
        let synced = written && fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .failed("\(path): cannot write: \(reason)")
        }
        // The rename itself is durable only once the directory is synced.
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Evidence can grow past what a double holds; such values are written as strings.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()

    /// A decoding error as a path and a reason.
    private static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return (path.isEmpty ? "" : "\(path.hasPrefix(".") ? String(path.dropFirst()) : path): ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
