/// A parsed JSON document. Numbers keep their literal text: etcd's 64-bit integers (lease ids
/// such as 2324035885013651482) do not survive a trip through Double, so they are read from the
/// digits, whether the gateway sent them as strings (it does) or as numbers.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The literal as written, already checked against JSON's number grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// How the value reads in an error message: its kind, and short scalars as written.
    var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let literal): return "the number \(literal)"
        case .string(let text): return text.count <= 40 ? "the string \"\(text)\"" : "a string of \(text.utf8.count) bytes"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
