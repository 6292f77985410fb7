@testable import TurnoutConfig

/// A small valid document as raw JSON members, so that cases can replace or remove one
/// top-level key while keeping every literal exactly as written (`1.0`, `true`).
let baseMembers: [(key: String, json: String)] = [
    ("listen", #"["127.0.0.1:8080"]"#),
    ("pools", #"{"blue": {"servers": ["127.0.0.1:9001"]}, "canary": {"servers": ["127.0.0.1:9201"]}}"#),
    ("splits", #"{"web": {"blue": 100, "canary": 0}}"#),
    ("routes", #"[{"match": {"path_prefix": "/"}, "split": "web"}]"#),
]

/// The base document with `changes` applied: a value replaces (or adds) a top-level key's raw
/// JSON, nil removes the key.
func document(_ changes: [String: String?] = [:]) -> String {
    var members = baseMembers.filter { changes[$0.key] == nil }
    for (key, json) in changes.sorted(by: { $0.key < $1.key }) {
        if let json { members.append((key, json)) }
    }
    return "{" + members.map { "\"\($0.key)\": \($0.json)" }.joined(separator: ", ") + "}"
}

/// Decodes `text`; the errors (empty when it decodes).
func errors(of text: String) -> [ConfigError] {
    do {
        _ = try ConfigLoader.decode(Array(text.utf8), source: "test.json")
        return []
    } catch {
        return error.errors
    }
}

/// Decodes `text`, which must be valid; nil (and the errors printed) otherwise.
func decoded(_ text: String) -> Config? {
    do {
        return try ConfigLoader.decode(Array(text.utf8), source: "test.json")
    } catch {
        print(error)
        return nil
    }
}

/// One row of a rule table: a change to the base document and the error it must produce.
struct RuleCase: CustomStringConvertible, Sendable {
    var changes: [String: String?]
    var path: String
    var fragment: String

    init(_ changes: [String: String?], _ path: String, _ fragment: String) {
        self.changes = changes
        self.path = path
        self.fragment = fragment
    }

    var description: String { "\(path): \(fragment)" }
}
