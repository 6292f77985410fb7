/// Typed reading of one JSON object of an etcd answer, by protobuf's JSON mapping: an absent
/// member (or `null`) is the field's default, since proto3 leaves defaults out; 64-bit integers
/// come as strings or numbers; bytes as base64. A member of the wrong kind is an error naming
/// its path (`kvs[2].mod_revision`) and the answer it was in.
struct JSONFields {
    let members: [String: JSONValue]
    /// Where this object is, `""` for the top level.
    let path: String
    /// What the answer was, for messages: "etcd's range answer".
    let answer: String

    init(_ value: JSONValue, path: String = "", answer: String) throws(EtcdError) {
        self.path = path
        self.answer = answer
        guard case .object(let members) = value else {
            throw .malformed("\(answer) \(path.isEmpty ? "is" : "has \(path) as") \(value.summary), expected an object")
        }
        self.members = members
    }

    /// The member's path: `header.revision`, or just `revision` at the top.
    func path(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func wrongKind(_ name: String, _ value: JSONValue, expected: String) -> EtcdError {
        .malformed("\(answer) has \(path(name)) = \(value.summary), expected \(expected)")
    }

    /// The member, nil when absent or null.
    func value(_ name: String) -> JSONValue? {
        switch members[name] {
        case nil, .null?: return nil
        case let value?: return value
        }
    }

    func has(_ name: String) -> Bool { value(name) != nil }

    func int64(_ name: String) throws(EtcdError) -> Int64 {
        guard let value = value(name) else { return 0 }
        let literal: String
        switch value {
        case .string(let text): literal = text
        case .number(let text): literal = text
        default: throw wrongKind(name, value, expected: "an int64 (a string of digits or a number)")
        }
        guard let number = Int64(literal) else { throw wrongKind(name, value, expected: "an int64 (a string of digits or a number)") }
        return number
    }

    func uint64(_ name: String) throws(EtcdError) -> UInt64 {
        guard let value = value(name) else { return 0 }
        let literal: String
        switch value {
        case .string(let text): literal = text
        case .number(let text): literal = text
        default: throw wrongKind(name, value, expected: "a uint64 (a string of digits or a number)")
        }
        guard let number = UInt64(literal) else { throw wrongKind(name, value, expected: "a uint64 (a string of digits or a number)") }
        return number
    }

    /// A gRPC status code or similar small integer, sent as a plain number.
    func int(_ name: String) throws(EtcdError) -> Int {
        let number = try int64(name)
        guard let small = Int32(exactly: number) else { throw wrongKind(name, value(name)!, expected: "a 32-bit integer") }
        return Int(small)
    }

    func bool(_ name: String) throws(EtcdError) -> Bool {
        guard let value = value(name) else { return false }
        guard case .bool(let flag) = value else { throw wrongKind(name, value, expected: "true or false") }
        return flag
    }

    func string(_ name: String) throws(EtcdError) -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let text) = value else { throw wrongKind(name, value, expected: "a string") }
        return text
    }

    /// A `bytes` field: base64, empty when absent.
    func bytes(_ name: String) throws(EtcdError) -> [UInt8] {
        guard let value = value(name) else { return [] }
        guard case .string(let text) = value, let data = Base64.decode(text) else {
            throw wrongKind(name, value, expected: "base64 bytes")
        }
        return data
    }

    /// A key: base64 of UTF-8 text (Turnout names keys with Strings).
    func key(_ name: String) throws(EtcdError) -> String {
        let data = try bytes(name)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw .malformed("\(answer) has \(path(name)) = \(Base64.encode(data)) (base64), which is not UTF-8 text; Turnout reads only text keys")
        }
        return text
    }

    func object(_ name: String) throws(EtcdError) -> JSONFields? {
        guard let value = value(name) else { return nil }
        return try JSONFields(value, path: path(name), answer: answer)
    }

    /// Each element of an array of objects, empty when absent.
    func objects(_ name: String) throws(EtcdError) -> [JSONFields] {
        guard let value = value(name) else { return [] }
        guard case .array(let elements) = value else { throw wrongKind(name, value, expected: "an array") }
        var fields: [JSONFields] = []
        fields.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            fields.append(try JSONFields(element, path: "\(path(name))[\(index)]", answer: answer))
        }
        return fields
    }

    /// Parses a whole answer as one JSON object.
    static func parse(_ body: [UInt8], answer: String) throws(EtcdError) -> JSONFields {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw .malformed("\(answer) is not JSON: \(error.message)\(Self.excerpt(body))")
        }
        return try JSONFields(value, answer: answer)
    }

    /// The start of a body that failed to parse, for the message: enough to recognise an HTML
    /// error page or a proxy's text, not a flood.
    static func excerpt(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return " (the body is empty)" }
        let text = String(decoding: body.prefix(120), as: UTF8.self)
            .map { $0.isASCII && ($0.asciiValue! < 0x20 || $0.asciiValue! == 0x7f) ? " " : String($0) }.joined()
        return " (it begins \"\(text)\"\(body.count > 120 ? "…" : ""))"
    }
}
