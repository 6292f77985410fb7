import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutPosix

/// Starts the admin API of a running proxy as its configuration asks: the Unix socket, the
/// optional TCP listener, the token. Shared by `run` and `demo`.
enum AdminWiring {
    static func start(_ admin: AdminConfig, socketPath: String?, api: AdminAPI) throws(AdminError) -> AdminServer {
        let token: BearerToken?
        if let file = admin.tokenFile { token = try BearerToken.load(path: file) } else { token = nil }
        var tcp: SocketAddress?
        if let listen = admin.listen {
            guard let address = SocketAddress(host: listen.host, port: listen.port) else {
                throw AdminError("admin.listen \(listen): not an address this machine can listen on")
            }
            tcp = address
        }
        let server = try AdminServer(socketPath: socketPath, tcp: tcp, token: token) { request in api.handle(request) }
        server.start()
        return server
    }

    /// Where the admin API listens, for the startup line.
    static func describe(_ server: AdminServer, socketPath: String?) -> String {
        var places: [String] = []
        if let socketPath { places.append(socketPath) }
        if let tcp = server.tcpAddress { places.append("http://\(tcp)") }
        return places.isEmpty ? "off" : places.joined(separator: " and ")
    }
}
