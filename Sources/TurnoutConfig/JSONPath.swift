/// Where a value sits in the configuration document, printed as `pools.canary.servers[0]`.
///
/// Keys that are not plain words (dots, spaces, quotes, empty) are printed quoted in brackets,
/// `pools["a.b"]`, so that a path always reads back unambiguously.
struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    /// The document itself; printed as the empty string.
    static let root = JSONPath(text: "")

    let description: String

    private init(text: String) { description = text }

    /// The path of `key` inside the object at this path.
    func key(_ key: String) -> JSONPath {
        if JSONPath.isPlain(key) {
            return JSONPath(text: description.isEmpty ? key : description + "." + key)
        }
        return JSONPath(text: description + "[" + quoted(key, limit: 200) + "]")
    }

    /// The path of element `index` of the array at this path.
    func index(_ index: Int) -> JSONPath {
        JSONPath(text: description + "[\(index)]")
    }

    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}
