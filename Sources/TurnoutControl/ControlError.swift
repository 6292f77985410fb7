/// Why a control-plane change was refused: the HTTP status the admin API answers with and a
/// message that says what and where. A refused change changes nothing.
public struct ControlError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let message: String

    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    static func badRequest(_ message: String) -> ControlError { ControlError(400, message) }
    static func notFound(_ message: String) -> ControlError { ControlError(404, message) }
    static func conflict(_ message: String) -> ControlError { ControlError(409, message) }
}
