import Foundation

/// A JSON document as a closed enum, converted once from what `JSONSerialization` returns.
///
/// `JSONSerialization` hands back `NSNumber` for `true`, `1` and `1.5` alike, and on Linux
/// `NSNumber(1) as? Bool` succeeds, so casting to `Bool`/`Int` would accept `"workers": true`
/// or `"weight": 1.5`. The conversion below decides the kind once, from the number's class and
/// `objCType`, so the decoders never see an ambiguous value.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer literal (`5`, `-3`) that fits in `Int`.
    case integer(Int)
    /// A literal with a fraction or an exponent (`1.5`, `1.0`, `1e3`), or an integer too large for `Int`.
    case float(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The class `JSONSerialization` uses for `true` and `false` (`__NSCFBoolean`).
    private static let booleanClass: AnyClass = type(of: NSNumber(value: true))

    /// Converts a `JSONSerialization` result; anything that is not a JSON type becomes `.null`.
    init(foundation any: Any) {
        switch any {
        case is NSNull:
            self = .null
        case let number as NSNumber:
            self = JSONValue(number: number)
        case let string as String:
            self = .string(string)
        case let array as [Any]:
            self = .array(array.map { JSONValue(foundation: $0) })
        case let object as [String: Any]:
            self = .object(object.mapValues { JSONValue(foundation: $0) })
        default:
            self = .null
        }
    }

    private init(number: NSNumber) {
        if type(of: number) == JSONValue.booleanClass {
            self = .bool(number.boolValue)
            return
        }
        // "q", "i", "l", "s": signed integer literals. "Q": an integer above Int64.max.
        // "d" (also NSDecimalNumber for huge literals): a fraction or exponent was written.
        switch String(cString: number.objCType) {
        case "c", "s", "i", "l", "q":
            self = .integer(number.intValue)
        default:
            self = .float(number.doubleValue)
        }
    }

    /// How the value reads in an error message: strings quoted, containers by kind.
    var shortDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .float(let value): return String(value)
        case .string(let value): return quoted(value)
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Quotes a string for an error message the way JSON would, cut short when it is long.
func quoted(_ text: String, limit: Int = 80) -> String {
    var out = "\""
    var count = 0
    for scalar in text.unicodeScalars {
        if count == limit {
            out += "…"
            break
        }
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        count += 1
    }
    return out + "\""
}
