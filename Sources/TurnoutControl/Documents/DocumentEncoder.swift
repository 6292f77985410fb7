/// A JSON value as `DocumentEncoder` builds it: an object, an array, or a scalar already in its
/// JSON text. A reference, so that a nested container handed out before its parent is finished
/// still writes into the parent.
final class DocumentNode {
    enum Kind { case object, array, scalar }

    var kind = Kind.object
    var members: [String: DocumentNode] = [:]
    var elements: [DocumentNode] = []
    /// The scalar's JSON text: `null`, `true`, `12.5`, `"quoted"`.
    var text = ""

    func set(_ scalar: String) {
        kind = .scalar
        text = scalar
    }

    /// Number text as `JSONSerialization` writes it: the shortest text that reads back as the same
    /// Double (Swift's `description`), without a trailing `.0`. JSON has no infinity or NaN; the
    /// reports round those to finite values before they get here.
    static func number<Number: BinaryFloatingPoint & CustomStringConvertible>(_ value: Number, at path: [any CodingKey]) throws -> String {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: path, debugDescription: "\(value) is not a JSON number"))
        }
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// A JSON string with `JSONSerialization`'s escapes: quote, backslash and slash, the short forms
    /// for \b \f \n \r \t, `\u00XX` for the other control characters, everything else as is.
    static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += "\\/"
            case "\u{8}": out += "\\b"
            case "\u{c}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0}"..."\u{f}": out += "\\u000" + String(scalar.value, radix: 16)
            case "\u{10}"..."\u{1f}": out += "\\u00" + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// Encodes a `Codable` document into a `DocumentNode` tree, which `DocumentJSON` writes with
/// sorted keys. Like `JSONEncoder`, asking twice for a keyed container adds to the same object
/// (a document may encode another's keys beside its own).
struct DocumentEncoder: Encoder {
    let node: DocumentNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.kind != .object {
            node.kind = .object
            node.members = [:]
        }
        return KeyedEncodingContainer(KeyedDocumentContainer(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.kind != .array {
            node.kind = .array
            node.elements = []
        }
        return UnkeyedDocumentContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleDocumentContainer(node: node, codingPath: codingPath)
    }
}

/// The key `superEncoder()` writes under, as `JSONEncoder` names it.
private struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

/// An array index in a coding path.
private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// An object's members: each key gets a node of its own.
private struct KeyedDocumentContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: DocumentNode
    let codingPath: [any CodingKey]

    private func child(_ key: any CodingKey) -> DocumentNode {
        let child = DocumentNode()
        node.members[key.stringValue] = child
        return child
    }

    private func encoder(_ key: any CodingKey) -> DocumentEncoder {
        DocumentEncoder(node: child(key), codingPath: codingPath + [key])
    }

    mutating func encodeNil(forKey key: Key) { child(key).set("null") }
    mutating func encode(_ value: Bool, forKey key: Key) { child(key).set(value ? "true" : "false") }
    mutating func encode(_ value: String, forKey key: Key) { child(key).set(DocumentNode.quoted(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { child(key).set(try DocumentNode.number(value, at: codingPath + [key])) }
    mutating func encode(_ value: Float, forKey key: Key) throws { child(key).set(try DocumentNode.number(value, at: codingPath + [key])) }
    mutating func encode(_ value: Int, forKey key: Key) { child(key).set(String(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) { child(key).set(String(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) { child(key).set(String(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) { child(key).set(String(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) { child(key).set(String(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) { child(key).set(String(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) { child(key).set(String(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) { child(key).set(String(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) { child(key).set(String(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) { child(key).set(String(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try value.encode(to: encoder(key)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { encoder(key).unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { encoder(SuperKey()) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder(key) }
}

/// An array's elements, appended in order.
private struct UnkeyedDocumentContainer: UnkeyedEncodingContainer {
    let node: DocumentNode
    let codingPath: [any CodingKey]
    var count: Int { node.elements.count }

    private func next() -> DocumentNode {
        let element = DocumentNode()
        node.elements.append(element)
        return element
    }

    private func encoder() -> DocumentEncoder {
        let path = codingPath + [IndexKey(count)]
        return DocumentEncoder(node: next(), codingPath: path)
    }

    mutating func encodeNil() { next().set("null") }
    mutating func encode(_ value: Bool) { next().set(value ? "true" : "false") }
    mutating func encode(_ value: String) { next().set(DocumentNode.quoted(value)) }
    mutating func encode(_ value: Double) throws { next().set(try DocumentNode.number(value, at: codingPath + [IndexKey(count)])) }
    mutating func encode(_ value: Float) throws { next().set(try DocumentNode.number(value, at: codingPath + [IndexKey(count)])) }
    mutating func encode(_ value: Int) { next().set(String(value)) }
    mutating func encode(_ value: Int8) { next().set(String(value)) }
    mutating func encode(_ value: Int16) { next().set(String(value)) }
    mutating func encode(_ value: Int32) { next().set(String(value)) }
    mutating func encode(_ value: Int64) { next().set(String(value)) }
    mutating func encode(_ value: UInt) { next().set(String(value)) }
    mutating func encode(_ value: UInt8) { next().set(String(value)) }
    mutating func encode(_ value: UInt16) { next().set(String(value)) }
    mutating func encode(_ value: UInt32) { next().set(String(value)) }
    mutating func encode(_ value: UInt64) { next().set(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: encoder()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        encoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { encoder().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { encoder() }
}

/// One value, written into the encoder's own node.
private struct SingleDocumentContainer: SingleValueEncodingContainer {
    let node: DocumentNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() { node.set("null") }
    mutating func encode(_ value: Bool) { node.set(value ? "true" : "false") }
    mutating func encode(_ value: String) { node.set(DocumentNode.quoted(value)) }
    mutating func encode(_ value: Double) throws { node.set(try DocumentNode.number(value, at: codingPath)) }
    mutating func encode(_ value: Float) throws { node.set(try DocumentNode.number(value, at: codingPath)) }
    mutating func encode(_ value: Int) { node.set(String(value)) }
    mutating func encode(_ value: Int8) { node.set(String(value)) }
    mutating func encode(_ value: Int16) { node.set(String(value)) }
    mutating func encode(_ value: Int32) { node.set(String(value)) }
    mutating func encode(_ value: Int64) { node.set(String(value)) }
    mutating func encode(_ value: UInt) { node.set(String(value)) }
    mutating func encode(_ value: UInt8) { node.set(String(value)) }
    mutating func encode(_ value: UInt16) { node.set(String(value)) }
    mutating func encode(_ value: UInt32) { node.set(String(value)) }
    mutating func encode(_ value: UInt64) { node.set(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: DocumentEncoder(node: node, codingPath: codingPath)) }
}
