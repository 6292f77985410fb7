/// Writes the compact JSON of a request, members in the order they are written, so a request's
/// bytes are predictable (the codec tests compare them exactly).
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Per open container: whether a member or element was written (the next needs a comma).
    private var written: [Bool] = []

    mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); written.append(false) }
    mutating func endObject() { written.removeLast(); bytes.append(UInt8(ascii: "}")) }
    mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); written.append(false) }
    mutating func endArray() { written.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// A member name; the value written next belongs to it.
    mutating func name(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        // The value that follows must not be preceded by a comma.
        written[written.count - 1] = false
    }

    /// A string of printable ASCII only (base64, enum names): nothing to escape.
    mutating func asciiString(_ text: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: text.utf8)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Bytes as a base64 string, as protobuf's JSON mapping writes `bytes` fields.
    mutating func base64(_ data: some Collection<UInt8>) { asciiString(Base64.encode(data)) }

    /// A 64-bit integer as a string: protobuf's JSON mapping for int64, exact in every reader.
    mutating func int64(_ value: Int64) { asciiString(String(value)) }

    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// The comma before a member or element, when one came before it in the same container.
    private mutating func separate() {
        guard let last = written.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) }
        written[written.count - 1] = true
    }
}
