/// Why the admin listener or client could not do its job, in words for the operator.
public struct AdminError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
