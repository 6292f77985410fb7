import Glibc

/// systemd's readiness protocol (`sd_notify(3)`) without libsystemd: one datagram of
/// `KEY=VALUE` lines to the Unix socket named by `$NOTIFY_SOCKET`, which systemd sets for a
/// `Type=notify` service. A name starting with `@` is in the abstract namespace (its first byte
/// becomes NUL on the wire). Without the variable (not under systemd) every call does nothing.
///
/// Turnout says `READY=1` once its listeners are bound, its workers run and its admin socket
/// accepts: from then on `systemctl start` returns, and a connection or a `turnout ctl` call
/// succeeds. `RELOADING=1` and `READY=1` bracket a SIGHUP reload; `STOPPING=1` starts a drain.
enum SystemdNotify {
    /// The proxy serves: `READY=1`, this process as the service's main process (it matters when
    /// a new binary takes over from the old one in the same unit), and a status line for
    /// `systemctl status`.
    static func ready(status: String) {
        send("READY=1\nMAINPID=\(getpid())\nSTATUS=\(oneLine(status))")
    }

    /// A reload begins; `ready(status:)` ends it. `MONOTONIC_USEC` is what systemd 253 and later
    /// ask for with `RELOADING=1`; older ones ignore it.
    static func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        send("RELOADING=1\nMONOTONIC_USEC=\(UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000)")
    }

    /// The drain begins.
    static func stopping() {
        send("STOPPING=1\nSTATUS=draining: finishing in-flight requests")
    }

    /// Sends `message` as one datagram; false when `$NOTIFY_SOCKET` is unset, unusable or the
    /// send failed. Readiness is best effort, as with libsystemd: a failure is not fatal to the
    /// proxy (systemd then times the start out and says so).
    @discardableResult
    static func send(_ message: String) -> Bool {
        guard let name = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !name.isEmpty else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(name.utf8)
        guard path.first == UInt8(ascii: "/") || path.first == UInt8(ascii: "@") else { return false }
        let abstract = path[0] == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        // A path needs its terminating NUL; an abstract name is exactly its bytes.
        guard path.count < capacity || (abstract && path.count == capacity) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var text = message
        return text.withUTF8 { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                    while true {
                        let sent = sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length)
                        if sent >= 0 { return sent == bytes.count }
                        if errno != EINTR { return false }
                    }
                }
            }
        }
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" ? " " : $0 })
    }
}
