import Glibc

/// write(2) of all of `bytes` to a blocking descriptor (stdout, stderr, a log file), retrying
/// short writes and EINTR. Returns false when the descriptor refused the rest. Never for sockets
/// on the data path, which are non-blocking and handle EAGAIN as a state.
@discardableResult
public func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return false }
        offset += n
    }
    return true
}
