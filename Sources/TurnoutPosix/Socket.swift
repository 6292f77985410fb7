import CTurnoutSys
import Glibc

/// The outcome of a non-blocking read or write. `wouldBlock` is a state, not an error: the
/// caller waits for the next readiness event.
/// What accept(2) gave: a descriptor to adopt, nothing pending, or an error.
public enum AcceptOutcome: Sendable {
    case accepted(Int32, SocketAddress)
    case empty
    case failed(Errno)
}

public enum IOResult: Equatable, Sendable {
    case bytes(Int)
    case wouldBlock
    /// The peer closed its side (read returned 0).
    case endOfFile
    case failed(Errno)
}

/// Owns one file descriptor and closes it exactly once: `close()` marks it closed, `deinit`
/// closes what is still open. It is not copyable, so no second owner can close it again.
public struct Socket: ~Copyable {
    public private(set) var descriptor: Int32


    public init(adopting descriptor: Int32) { self.descriptor = descriptor }

    public var isOpen: Bool { descriptor >= 0 }

    /// Closes the descriptor now. Closing twice is harmless: the second call does nothing.
    public mutating func close() {
        guard descriptor >= 0 else { return }
        // close(2) must not be retried on EINTR on Linux: the descriptor is already released.
        _ = Glibc.close(descriptor)
        descriptor = -1
    }

    deinit {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
    }

    // MARK: Data transfer

    /// recv(2) into `buffer`: the socket call skips the file layer that read(2) goes through
    /// (position lock, permission and fsnotify hooks), which shows in the kernel's time per request.
    @inlinable
    public func read(into buffer: UnsafeMutableRawPointer, count: Int) -> IOResult {
        Self.classify(retryingInterrupts { Glibc.recv(descriptor, buffer, count, 0) }, zeroIsEOF: true)
    }

    /// send(2) with `MSG_NOSIGNAL`, so a peer that went away yields EPIPE instead of SIGPIPE.
    @inlinable
    public func write(_ buffer: UnsafeRawPointer, count: Int) -> IOResult {
        Self.classify(retryingInterrupts { Glibc.send(descriptor, buffer, count, Int32(MSG_NOSIGNAL)) }, zeroIsEOF: false)
    }

    /// sendmsg(2) of several buffers in one call (head and body together), with `MSG_NOSIGNAL`.
    @inlinable
    public func write(vectors: UnsafeMutablePointer<iovec>, count: Int) -> IOResult {
        var message = msghdr()
        message.msg_iov = vectors
        message.msg_iovlen = count
        return Self.classify(retryingInterrupts { Glibc.sendmsg(descriptor, &message, Int32(MSG_NOSIGNAL)) }, zeroIsEOF: false)
    }

    @inlinable
    public static func classify(_ result: Result<Int, Errno>, zeroIsEOF: Bool) -> IOResult {
        switch result {
        case .success(let n): return (n == 0 && zeroIsEOF) ? .endOfFile : .bytes(n)
        case .failure(let e): return (e == .wouldBlock) ? .wouldBlock : .failed(e)
        }
    }

    // MARK: Options

    /// Disables Nagle: a proxy writes whole heads and wants them on the wire at once.
    public func setNoDelay() {
        var one: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Makes close(2) send RST instead of FIN: used to abort a connection whose state is broken.
    public func setLingerZero() {
        var value = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &value, socklen_t(MemoryLayout<linger>.size))
    }

    /// shutdown(2) of the write side: the peer reads end of file after what was sent.
    public func shutdownWrite() { _ = Glibc.shutdown(descriptor, Int32(SHUT_WR)) }

    /// The pending error of a non-blocking connect (SO_ERROR), nil when it succeeded.
    public func pendingError() -> Errno? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return .current }
        return value == 0 ? nil : Errno(rawValue: value)
    }

    /// The Unix-socket peer's uid and pid (SO_PEERCRED).
    public func peerCredentials() -> (uid: UInt32, pid: Int32)? {
        var uid: UInt32 = 0
        var pid: Int32 = 0
        return cturnout_peercred(descriptor, &uid, &pid) == 0 ? (uid, pid) : nil
    }

    /// The address this socket is bound to (getsockname), e.g. to learn the port chosen for port 0.
    public func localAddress() -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) == 0 }
        }
        return ok ? SocketAddress(storage: storage, length: length) : nil
    }
}

extension Socket {
    /// A non-blocking TCP socket bound to `address` and listening. With `reusePort`, several
    /// loops each bind their own listener to the same address and the kernel spreads
    /// connections between them (SO_REUSEPORT).
    public static func listen(on address: SocketAddress, reusePort: Bool, backlog: Int32 = 4096) throws(Errno) -> Socket {
        let fd = Glibc.socket(Int32(address.family), cturnout_sock_stream() | cturnout_sock_nonblock_cloexec(), 0)
        guard fd >= 0 else { throw Errno.current }
        var socket = Socket(adopting: fd)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if reusePort { _ = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
        let bound = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        guard bound == 0 else {
            let error = Errno.current
            socket.close()
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = Errno.current
            socket.close()
            throw error
        }
        return socket
    }

    /// accept4(2) of one pending connection, non-blocking and close-on-exec. The caller adopts
    /// the descriptor into a `Socket`.
    public func accept() -> AcceptOutcome {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                retryingInterrupts { cturnout_accept4(descriptor, address, &length, cturnout_sock_nonblock_cloexec()) }
            }
        }
        switch result {
        case .success(let fd): return .accepted(fd, SocketAddress(storage: storage, length: length))
        case .failure(let e) where e == .wouldBlock: return .empty
        case .failure(let e): return .failed(e)
        }
    }

    /// Starts a non-blocking connect(2). The socket is returned at once; completion (or the
    /// error) shows as writability and `pendingError()`.
    public static func connect(to address: SocketAddress) throws(Errno) -> Socket {
        let fd = Glibc.socket(Int32(address.family), cturnout_sock_stream() | cturnout_sock_nonblock_cloexec(), 0)
        guard fd >= 0 else { throw Errno.current }
        var socket = Socket(adopting: fd)
        let result = address.withSockaddr { pointer, length in retryingInterrupts { Glibc.connect(fd, pointer, length) } }
        if case .failure(let error) = result, error != .inProgress {
            socket.close()
            throw error
        }
        socket.setNoDelay()
        return socket
    }
}
