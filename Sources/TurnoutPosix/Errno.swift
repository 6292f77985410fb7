import Glibc

/// A failed system call's `errno`, with the name an operator can search for.
public struct Errno: Error, Equatable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    @inlinable public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's current `errno`.
    @inlinable public static var current: Errno { Errno(rawValue: errno) }

    public static let interrupted = Errno(rawValue: EINTR)
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    public static let inProgress = Errno(rawValue: EINPROGRESS)
    public static let connectionReset = Errno(rawValue: ECONNRESET)
    public static let brokenPipe = Errno(rawValue: EPIPE)
    public static let connectionRefused = Errno(rawValue: ECONNREFUSED)
    public static let tooManyOpenFiles = Errno(rawValue: EMFILE)
    public static let tooManyOpenFilesInSystem = Errno(rawValue: ENFILE)
    public static let noBufferSpace = Errno(rawValue: ENOBUFS)
    public static let noMemory = Errno(rawValue: ENOMEM)
    public static let addressInUse = Errno(rawValue: EADDRINUSE)

    /// `ECONNREFUSED`-style errors that mean "this server is not there", as opposed to local trouble.
    public var isConnectFailure: Bool {
        switch rawValue {
        case ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, ECONNRESET, EADDRNOTAVAIL: return true
        default: return false
        }
    }

    /// Running out of descriptors or kernel memory: transient, the caller backs off instead of failing.
    public var isResourceExhaustion: Bool {
        switch rawValue {
        case EMFILE, ENFILE, ENOBUFS, ENOMEM: return true
        default: return false
        }
    }

    public var description: String {
        let name: String
        switch rawValue {
        case EINTR: name = "EINTR"
        case EAGAIN: name = "EAGAIN"
        case EINPROGRESS: name = "EINPROGRESS"
        case ECONNRESET: name = "ECONNRESET"
        case EPIPE: name = "EPIPE"
        case ECONNREFUSED: name = "ECONNREFUSED"
        case EMFILE: name = "EMFILE"
        case ENFILE: name = "ENFILE"
        case ENOBUFS: name = "ENOBUFS"
        case ENOMEM: name = "ENOMEM"
        case EADDRINUSE: name = "EADDRINUSE"
        case EADDRNOTAVAIL: name = "EADDRNOTAVAIL"
        case ETIMEDOUT: name = "ETIMEDOUT"
        case EHOSTUNREACH: name = "EHOSTUNREACH"
        case ENETUNREACH: name = "ENETUNREACH"
        case EACCES: name = "EACCES"
        case ENOENT: name = "ENOENT"
        case EINVAL: name = "EINVAL"
        case EBADF: name = "EBADF"
        default: name = "errno \(rawValue)"
        }
        return "\(name) (\(String(cString: strerror(rawValue))))"
    }
}

/// Runs a system call, retrying while it fails with `EINTR` (a signal arrived mid-call; nothing
/// happened, so trying again is always right). Returns the result, or the errno as an error.
@inlinable
public func retryingInterrupts<T: FixedWidthInteger>(_ call: () -> T) -> Result<T, Errno> {
    while true {
        let result = call()
        if result >= 0 { return .success(result) }
        let error = Errno.current
        if error != .interrupted { return .failure(error) }
    }
}
