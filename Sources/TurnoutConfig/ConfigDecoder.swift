/// Turns a parsed JSON document into a `Config`, checking every value on the way and
/// reporting each problem with its JSON path (see `ConfigReader`).
///
/// Sections are decoded in the order SPEC §2 lists them; names that later sections refer to
/// (pools, splits) are remembered as they are declared, so references are checked in the same
/// pass. One concern per file: `+Listen`, `+Pools`, `+Splits`, `+Routes`, `+Sections`,
/// `+References`.
final class ConfigDecoder {
    /// Collects the errors.
    let reader = ConfigReader()
    /// Every pool name declared, valid or not; nil when `pools` itself was unreadable, so that
    /// references are not reported as missing when the real problem is elsewhere.
    var poolNames: Set<String>?
    /// Every split name declared; nil when `splits` was unreadable.
    var splitNames: Set<String>?

    /// The keys allowed at the top level of the document.
    static let topLevelKeys = [
        "listen", "workers", "admin", "state_file", "pools", "splits", "routes", "health", "outlier",
        "retries", "mirror", "analysis", "timeouts", "limits", "access_log", "pool_header",
        "notify", "rollouts", "cluster",
    ]

    /// The configuration, or nil when any error was reported (they are in `reader.errors`).
    func decode(_ root: JSONValue) -> Config? {
        guard let top = reader.object(root, at: .root, keys: Self.topLevelKeys, expected: "a JSON object at the top level")
        else { return nil }

        let listen = decodeListen(top)
        let workers = reader.integer(top, "workers", default: 0, IntBounds(min: 0, max: 256, maxNote: "0 means one per core"))
        let admin = decodeAdmin(top)
        let stateFile = reader.optionalString(top, "state_file", default: Config.defaultStateFile, expected: "a file path")
        let pools = decodePools(top)
        let splits = decodeSplits(top)
        let routes = decodeRoutes(top)
        let health = decodeHealth(top)
        let outlier = decodeOutlier(top)
        let retries = decodeRetries(top)
        let mirror = decodeMirror(top)
        let analysis = decodeAnalysis(top)
        let timeouts = decodeTimeouts(top)
        let limits = decodeLimits(top)
        let accessLog = reader.optionalString(top, "access_log", default: nil, expected: "\"stdout\" or a file path")
        let poolHeader = decodePoolHeader(top)
        let notify = decodeNotify(top)
        let rollouts = decodeRollouts(top, splits: splits, analysis: analysis)
        let cluster = decodeCluster(top)

        guard reader.errors.isEmpty else { return nil }
        return Config(
            listen: listen, workers: workers, admin: admin, stateFile: stateFile, pools: pools, splits: splits,
            routes: routes, health: health, outlier: outlier, retries: retries, mirror: mirror, analysis: analysis,
            timeouts: timeouts, limits: limits, accessLog: accessLog, poolHeader: poolHeader, notify: notify, rollouts: rollouts,
            cluster: cluster)
    }

    /// `pool_header`: a header name token, or null to send no pool header.
    private func decodePoolHeader(_ top: Fields) -> String? {
        let header = reader.optionalString(top, "pool_header", default: Config.defaultPoolHeader, expected: "a header name")
        if let header, !HTTPToken.isValid(header) {
            reader.report(top.path.key("pool_header"), "\(quoted(header)) is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)")
            return Config.defaultPoolHeader
        }
        return header
    }

    /// Whether `name` may name a pool or a split: it appears in admin URLs, metrics labels and
    /// the pool response header, so it is kept to letters, digits, `-`, `_` and `.`, 1-64 bytes.
    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
    }

    /// The message for a pool or split name that `isValidName` refuses.
    static func invalidNameMessage(_ kind: String, _ name: String) -> String {
        "\(kind) name \(quoted(name)) is not valid (expected 1-64 letters, digits, \"-\", \"_\" or \".\"; "
            + "it appears in admin URLs, metrics labels and headers)"
    }
}
