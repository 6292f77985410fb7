import Foundation
import Testing
@testable import TurnoutConfig

/// JSONSerialization returns NSNumber for booleans and numbers alike; the conversion must keep
/// `true` from passing as 1 and `1.0` from passing as an integer.
let literalCases: [(json: String, value: JSONValue)] = [
    ("true", .bool(true)),
    ("false", .bool(false)),
    ("0", .integer(0)),
    ("1", .integer(1)),
    ("-3", .integer(-3)),
    ("9223372036854775807", .integer(Int.max)),
    ("1.5", .float(1.5)),
    ("1.0", .float(1.0)),
    ("1e3", .float(1000)),
    ("9223372036854775808", .float(9223372036854775808)),
    ("null", .null),
    (#""1""#, .string("1")),
    (#""true""#, .string("true")),
    ("[]", .array([])),
    (#"{"a": [1, true]}"#, .object(["a": .array([.integer(1), .bool(true)])])),
]

@Test("literals keep their JSON kind", arguments: literalCases)
func literalKeepsKind(_ json: String, _ expected: JSONValue) throws {
    let any = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
    #expect(JSONValue(foundation: any) == expected)
}

@Test func booleansAreNotNumbersInConfig() {
    // `1` where a boolean is expected and `true` where a number is expected are both errors.
    let asNumber = errors(of: document(["workers": "true"]))
    #expect(asNumber == [ConfigError(path: "workers", message: "expected an integer, got true")])
    let asBool = errors(of: document(["mirror": #"{"pool": "canary", "percent": 5, "compare": 1}"#]))
    #expect(asBool == [ConfigError(path: "mirror.compare", message: "expected true or false, got 1")])
    let falseAsZero = errors(of: document(["timeouts": #"{"drain_ms": false}"#]))
    #expect(falseAsZero.first?.message == "expected an integer number of milliseconds, got false")
}

@Test func stringsAreQuotedAndEscapedInMessages() {
    #expect(JSONValue.string("a\"b\n").shortDescription == #""a\"b\n""#)
    #expect(JSONValue.string(String(repeating: "x", count: 100)).shortDescription.hasSuffix("x…\""))
    #expect(JSONValue.float(0.1).shortDescription == "0.1")
    #expect(JSONValue.object([:]).shortDescription == "an object")
}

@Test func pathsQuoteKeysThatAreNotPlainWords() {
    let root = JSONPath.root
    #expect(root.description == "")
    #expect(root.key("pools").key("canary").key("servers").index(0).description == "pools.canary.servers[0]")
    #expect(root.key("pools").key("a.b").description == #"pools["a.b"]"#)
    #expect(root.key("x y").description == #"["x y"]"#)
    #expect(root.key("splits").key("").description == #"splits[""]"#)
}
