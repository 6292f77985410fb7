/// Offsets of one header (or trailer) field inside the head bytes it was parsed from. The value is
/// trimmed of the optional whitespace around it; its inner bytes are exactly as received.
public struct HeaderField: Sendable, Equatable {
    /// The field name, as received (compare it ASCII case-insensitively).
    public var name: Range<Int>
    /// The field value without leading and trailing SP/HT; may be empty.
    public var value: Range<Int>

    /// Makes a field from its name and value offsets.
    @inlinable
    public init(name: Range<Int>, value: Range<Int>) {
        self.name = name
        self.value = value
    }
}
