import Glibc
import TurnoutConfig
import TurnoutPosix

/// `turnout run --takeover`: a new process (a new binary, typically) replaces the running one
/// with the same configuration and without refusing a connection, as `haproxy -sf` does.
///
/// 1. `begin` finds the running turnout by its admin socket: the process that accepts on it,
///    named by the kernel (`SO_PEERCRED`). The socket file is moved aside (rename, so the old
///    process stays reachable there), which lets this process create its own at the same path.
/// 2. This process binds the same listen addresses (every listener has `SO_REUSEPORT`, so the
///    kernel spreads new connections over both processes), reads the state file the old one
///    wrote, and starts serving.
/// 3. `finish`, once this process serves (and has told systemd `READY=1` and `MAINPID`): the
///    moved-aside file is removed and the old process gets SIGTERM. It closes its admin socket
///    and listeners, finishes its in-flight requests (up to `drain_ms`) and exits 0; its
///    clean-up leaves the socket file alone, since the file is no longer its own (inode check).
///
/// If this process fails to start, the socket file is moved back at exit: the old process goes
/// on serving and can still be reached at its usual path.
enum Takeover {
    /// The running turnout this process replaces, and where its socket file was moved.
    private struct Predecessor {
        let pid: Int32
        let socketPath: String
        let asidePath: String
    }

    nonisolated(unsafe) private static var predecessor: Predecessor?
    /// The paths `restoreAtExit` needs, as C strings: an atexit handler cannot capture.
    nonisolated(unsafe) private static var pendingRestore: (aside: UnsafeMutablePointer<CChar>, path: UnsafeMutablePointer<CChar>)?

    /// Finds the running turnout behind `config.admin.socket` and moves its socket file aside.
    /// With none running, this process simply starts. Returns false (after printing why) when a
    /// takeover is impossible: no admin socket configured, or the file cannot be moved.
    static func begin(config: Config, configPath: String) -> Bool {
        guard let path = config.admin.socket else {
            printError("\(configPath): --takeover finds the running turnout by its admin socket, and admin.socket is null")
            return false
        }
        guard let pid = owner(ofSocket: path), pid != getpid() else {
            printNotice("--takeover: no running turnout accepts on \(path); starting as usual")
            return true
        }
        let aside = path + ".takeover-\(getpid())"
        guard rename(path, aside) == 0 else {
            printError("\(configPath): --takeover: cannot move \(path) aside: \(Errno.current)")
            return false
        }
        predecessor = Predecessor(pid: pid, socketPath: path, asidePath: aside)
        pendingRestore = (strdup(aside)!, strdup(path)!)
        atexit { Takeover.restoreAtExit() }
        printNotice("taking over from pid \(pid) (admin socket \(path)); it is told to stop once this process serves")
        return true
    }

    /// This process serves: the old one's socket file goes and the old process is told to
    /// drain and exit. Does nothing when `begin` did not run.
    static func finish() {
        guard let predecessor else { return }
        if let pending = pendingRestore {
            pendingRestore = nil
            free(pending.aside)
            free(pending.path)
        }
        unlink(predecessor.asidePath)
        if kill(predecessor.pid, SIGTERM) == 0 {
            printNotice("took over from pid \(predecessor.pid): sent it SIGTERM; it stops accepting, drains and exits")
        } else {
            printNotice("took over from pid \(predecessor.pid), which is already gone (\(Errno.current))")
        }
        Self.predecessor = nil
    }

    /// At exit before `finish`: the start failed, so the old process's socket file goes back
    /// to its path, replacing this process's own file if it got as far as creating one.
    private static func restoreAtExit() {
        guard let pending = pendingRestore else { return }
        rename(pending.aside, pending.path)
    }

    /// The pid of the process accepting on the Unix socket at `path`, or nil when nothing does.
    private static func owner(ofSocket path: String) -> Int32? {
        guard let address = SocketAddress(unixPath: path) else { return nil }
        var socket = Socket(adopting: Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0))
        defer { socket.close() }
        guard socket.isOpen, address.withSockaddr({ connect(socket.descriptor, $0, $1) }) == 0 else { return nil }
        return socket.peerCredentials()?.pid
    }
}
