import Glibc
import TurnoutPosix

/// The admin Unix socket's file: created mode 0600 (only the owner may connect), a stale file
/// left by a killed process replaced, a live one never stolen.
enum AdminSocketFile {
    /// Binds and listens on `path`, creating its directory when missing.
    static func listen(path: String) throws(AdminError) -> Socket {
        guard let address = SocketAddress(unixPath: path) else {
            throw AdminError("admin.socket \(path): a Unix socket path must be shorter than 108 bytes")
        }
        try makeParentDirectory(of: path)
        try removeIfStale(path: path, address: address)
        // The umask decides the mode bind(2) gives the file; 0177 leaves 0600, so there is no
        // moment when another user could connect. Workers create no files, so the process-wide
        // umask is safe to change briefly; chmod afterwards states the intent once more.
        let previous = umask(0o177)
        defer { umask(previous) }
        let socket: Socket
        do {
            socket = try Socket.listen(on: address, reusePort: false, backlog: 64)
        } catch {
            throw AdminError("admin.socket \(path): cannot listen: \(error)")
        }
        guard chmod(path, 0o600) == 0 else {
            throw AdminError("admin.socket \(path): cannot set mode 0600: \(Errno.current)")
        }
        return socket
    }

    /// A socket file nobody accepts on (connect is refused) is left over from a process that
    /// died without cleaning up: it is removed. One that accepts belongs to a running Turnout.
    private static func removeIfStale(path: String, address: SocketAddress) throws(AdminError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw AdminError("admin.socket \(path) exists and is not a socket; refusing to replace it")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw AdminError("admin.socket \(path): \(Errno.current)") }
        defer { close(fd) }
        let connected = address.withSockaddr { connect(fd, $0, $1) } == 0
        if connected {
            throw AdminError("admin.socket \(path) is in use by a running process (another turnout?); "
                + "stop it or choose another admin.socket")
        }
        let reason = Errno.current
        guard reason == .connectionRefused || reason.rawValue == ENOENT else {
            throw AdminError("admin.socket \(path): cannot tell whether it is in use: \(reason)")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw AdminError("admin.socket \(path): cannot remove the stale socket file: \(Errno.current)")
        }
    }

    private static func makeParentDirectory(of path: String) throws(AdminError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        var components: [Substring] = []
        var prefix = directory.hasPrefix("/") ? "/" : ""
        components = directory.split(separator: "/")
        for component in components {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw AdminError("admin.socket \(path): cannot create the directory \(prefix): \(Errno.current)")
            }
        }
    }

    /// Removes the socket file at shutdown, only if it is still ours (same inode).
    static func remove(path: String, inode: ino_t) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_ino == inode else { return }
        unlink(path)
    }

    static func inode(of path: String) -> ino_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_ino : nil
    }
}
