/// Where the admin API listens (SPEC §6).
public struct AdminConfig: Sendable, Equatable {
    /// The Unix socket path (created mode 0600); nil disables the socket.
    public var socket: String?
    /// An optional TCP listener. A non-loopback address requires `tokenFile`.
    public var listen: ServerAddress?
    /// A file holding the bearer token TCP clients must send; nil for none.
    public var tokenFile: String?

    /// Creates an admin section; the default is the Unix socket `run/turnout-admin.sock` only.
    public init(socket: String? = Config.defaultAdminSocket, listen: ServerAddress? = nil, tokenFile: String? = nil) {
        self.socket = socket
        self.listen = listen
        self.tokenFile = tokenFile
    }
}
