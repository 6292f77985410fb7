import Foundation
import Testing
import TurnoutControl

/// The documents' writer (`DocumentJSON`) against what the admin API wrote before its documents
/// were typed, `JSONSerialization` with sorted keys: the same text for the same values, pretty
/// and compact — key order (numeric, case ignored), number text, escapes and layout.
@Suite struct DocumentJSONTests {
    /// A JSON value that is both `Encodable` and a Foundation property list.
    indirect enum Tree: Encodable {
        case null, bool(Bool), int(Int), unsigned(UInt64), double(Double), string(String), array([Tree]), object([String: Tree])

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .array(let elements):
                var container = encoder.unkeyedContainer()
                for element in elements { try container.encode(element) }
            case .object(let members):
                var container = encoder.container(keyedBy: Key.self)
                for (key, value) in members { try container.encode(value, forKey: Key(stringValue: key)) }
            default:
                var container = encoder.singleValueContainer()
                switch self {
                case .null: try container.encodeNil()
                case .bool(let value): try container.encode(value)
                case .int(let value): try container.encode(value)
                case .unsigned(let value): try container.encode(value)
                case .double(let value): try container.encode(value)
                case .string(let value): try container.encode(value)
                case .array, .object: break
                }
            }
        }

        var propertyList: Any {
            switch self {
            case .null: NSNull()
            case .bool(let value): value
            case .int(let value): value
            case .unsigned(let value): value
            case .double(let value): value
            case .string(let value): value
            case .array(let elements): elements.map(\.propertyList)
            case .object(let members): members.mapValues(\.propertyList)
            }
        }
    }

    /// SplitMix64: the same trees on every run.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let keyCharacters = Array("aAbBzZ0918_-.:/ é😀")
    static let stringScalars: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{8}", "\t", "\n", "\u{b}", "\u{c}",
                                                  "\r", "\u{1f}", "\u{7f}", "é", "\u{2028}", "😀", "<", "&"]
    static let doubles: [Double] = [0, -0.0, 0.1, 0.3, 12.0, 12.5, 2.675, 1e-7, 0.000123, 1e21, 1005000, 1796688728082,
                                    Double.greatestFiniteMagnitude, -3.232, 118.176]

    static func tree(_ random: inout Random, depth: Int) -> Tree {
        switch Int.random(in: depth >= 3 ? 0...6 : 0...8, using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .int(Int.random(in: -1_000_000...1_000_000, using: &random))
        case 3: return .unsigned(UInt64.random(in: 0...UInt64(1) << 53, using: &random))
        case 4: return .double(doubles.randomElement(using: &random)!)
        case 5: return .double(Double(Int.random(in: 0...100_000_000, using: &random)) / pow(10, Double(Int.random(in: 0...6, using: &random))))
        case 6: return .string(String(String.UnicodeScalarView((0..<Int.random(in: 0...6, using: &random)).map { _ in stringScalars.randomElement(using: &random)! })))
        case 7: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in tree(&random, depth: depth + 1) })
        default: return object(&random, depth: depth)
        }
    }

    static func object(_ random: inout Random, depth: Int) -> Tree {
        var members: [String: Tree] = [:]
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            let key = String((0..<Int.random(in: 1...5, using: &random)).map { _ in keyCharacters.randomElement(using: &random)! })
            members[key] = tree(&random, depth: depth + 1)
        }
        return .object(members)
    }

    @Test func theWriterWritesWhatJSONSerializationWrote() throws {
        var random = Random(state: 42)
        for _ in 0..<2000 {
            let tree = Self.object(&random, depth: 0)
            for (pretty, options) in [(true, JSONSerialization.WritingOptions([.sortedKeys, .prettyPrinted])), (false, [.sortedKeys])] {
                let expected = String(decoding: try JSONSerialization.data(withJSONObject: tree.propertyList, options: options), as: UTF8.self)
                let written = try DocumentJSON.text(tree, pretty: pretty)
                #expect(written == expected)
                if written != expected { return }
            }
        }
    }

    @Test func theKeysAreInJSONSerializationsOrder() throws {
        let keys = ["since_start", "10s", "5m", "1m", "127.0.0.1:10001", "127.0.0.1:9001", "Shadow", "blue", "p99.9", "p99", "_x", "a-b", "a_b"]
        let text = try DocumentJSON.text(Dictionary(uniqueKeysWithValues: keys.map { ($0, 1) }), pretty: false)
        #expect(text == #"{"_x":1,"1m":1,"5m":1,"10s":1,"127.0.0.1:9001":1,"127.0.0.1:10001":1,"a_b":1,"a-b":1,"blue":1,"p99":1,"p99.9":1,"#
            + #""Shadow":1,"since_start":1}"#)
    }

    @Test func aNonFiniteNumberIsRefusedAndTheAnswerSaysSo() {
        #expect(throws: EncodingError.self) { try DocumentJSON.text(["x": Double.infinity]) }
        #expect(jsonText(["x": Double.nan]) == #"{"error": "the report could not be encoded"}"#)
    }
}
