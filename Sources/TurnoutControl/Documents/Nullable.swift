/// An optional the admin API writes as an explicit `null` when it is nil, never as a missing key.
/// Synthesized `Codable` leaves a nil optional out; these keys have always been there (a script
/// tests `x === null`, SPEC §6 shows `"reason": null`), so they stay. Reading takes `null` and
/// requires the key, as the writer always sends it.
@propertyWrapper
public struct Nullable<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
