import Glibc
import Synchronization
import TurnoutPosix

/// A raw TCP upstream for misbehaviour the fixture does not offer: each accepted connection
/// is handed to `script` on its own thread with a blocking socket (reads time out after
/// `readTimeoutSeconds`, 2 s unless given).
final class ScriptedUpstream: Sendable {
    let port: UInt16
    private let listener: Int32
    /// Shared with the accept thread, hence a class around the atomic.
    private final class Counter: Sendable { let value = Atomic<Int>(0) }
    private let accepted = Counter()

    init(readTimeoutSeconds: Int = 2, script: @escaping @Sendable (_ connection: Int32, _ index: Int) -> Void) throws {
        let socket = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0)!, reusePort: false)
        port = socket.localAddress()!.port
        // Keep the descriptor: the accept thread owns it from here on (blocking accept).
        let descriptor = dup(socket.descriptor)
        _ = fcntl(descriptor, F_SETFL, 0)
        listener = descriptor
        let counter = accepted
        LoopThread.start(name: "scripted") { [listener] in
            while true {
                let connection = Glibc.accept(listener, nil, nil)
                guard connection >= 0 else { return }
                var timeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let index = counter.value.wrappingAdd(1, ordering: .relaxed).oldValue
                LoopThread.start(name: "scripted-conn") {
                    script(connection, index)
                    close(connection)
                }
            }
        }
    }

    var address: String { "127.0.0.1:\(port)" }
    var acceptedConnections: Int { accepted.value.load(ordering: .relaxed) }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    /// Reads until a blank line ends a request head (requests without bodies only).
    static func readHead(_ connection: Int32) -> Bool {
        var seen: [UInt8] = []
        var byte: UInt8 = 0
        while recv(connection, &byte, 1, 0) == 1 {
            seen.append(byte)
            if seen.count >= 4 && seen.suffix(4) == [13, 10, 13, 10] { return true }
        }
        return false
    }

    static func write(_ connection: Int32, _ text: String) {
        var text = text
        text.withUTF8 { _ = send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
