import Glibc
import Synchronization
import TurnoutPosix

/// An open watch: its own connection to one etcd member, streaming messages until it breaks, etcd
/// cancels it, or `cancel()` closes it. Read it with `next(timeout:)` from one thread (calls from
/// several threads take turns); cancel it from any.
///
/// A watch does not move to another member by itself: when it breaks, the caller opens a new
/// one from the revision after the last it saw, which also covers what happened in between.
public final class EtcdWatch: Sendable {
    /// The member the stream is open to.
    public let endpoint: EtcdEndpoint
    /// The message in which etcd confirmed the watch; its header's revision is the store's
    /// revision at that moment.
    public let creation: EtcdWatchMessage

    /// The connection, and whether a `next` is reading it or `cancel` closed it.
    private struct Control: ~Copyable {
        var connection: EtcdConnection?
        /// The connection's descriptor, for shutdown(2) while a reader holds it.
        let descriptor: Int32
        var reading = false
        var canceled = false
    }

    /// The stream's state, touched by one `next` at a time.
    private struct Reader {
        var stream: WatchStream
        /// Once the stream failed, every later `next` throws this again.
        var failure: EtcdError?
    }

    private let control: Mutex<Control>
    private let reader: Mutex<Reader>

    init(connection: consuming EtcdConnection, stream: WatchStream, creation: EtcdWatchMessage) {
        endpoint = connection.endpoint
        self.creation = creation
        let descriptor = connection.descriptor
        control = Mutex(Control(connection: connection, descriptor: descriptor))
        reader = Mutex(Reader(stream: stream))
    }

    /// The next message of the stream: events, or a progress notification (no events). Nil when
    /// `timeout` seconds passed with nothing. Throws when the stream broke (`.unavailable`),
    /// when etcd canceled the watch (`.compacted(revision:)` for a compaction, else
    /// `.server(code: 1, …)`), or after `cancel()`: a `next` in progress when `cancel()` is called
    /// returns promptly by throwing `.unavailable("… canceled …")`, and so does every later call.
    public func next(timeout: Double) throws(EtcdError) -> EtcdWatchMessage? {
        let deadline = Deadline.after(seconds: timeout)
        return try reader.withLock { (reader: inout Reader) throws(EtcdError) -> EtcdWatchMessage? in
            if let failure = reader.failure { throw failure }
            do throws(EtcdError) {
                return try read(&reader.stream, until: deadline)
            } catch {
                reader.failure = error
                control.withLock { $0.connection = nil }
                throw error
            }
        }
    }

    /// Closes the stream. Safe from any thread and more than once. A `next` blocked on the
    /// connection wakes at once (shutdown(2) turns its wait into an end of file) and throws
    /// `.unavailable` saying the watch was canceled; the descriptor is closed by whichever of the
    /// two comes last, so it is never closed under a reader's feet.
    public func cancel() {
        control.withLock { control in
            guard !control.canceled else { return }
            control.canceled = true
            if control.reading {
                EtcdConnection.shutdown(descriptor: control.descriptor)
            } else {
                control.connection = nil
            }
        }
    }

    deinit { cancel() }

    private var canceledError: EtcdError {
        .unavailable("the etcd watch on \(endpoint) was canceled")
    }

    /// Reads until a message is complete or the deadline passes.
    private func read(_ stream: inout WatchStream, until deadline: Deadline) throws(EtcdError) -> EtcdWatchMessage? {
        // Once canceled, nothing more is handed out, not even what was already buffered.
        if isCanceled { throw canceledError }
        if let message = try stream.next() { return message }
        // Mark the connection as in use; `cancel` then only shuts it down, and closing waits for us.
        let descriptor: Int32? = control.withLock { control in
            guard !control.canceled, control.connection != nil else { return nil }
            control.reading = true
            return control.descriptor
        }
        guard let descriptor else { throw canceledError }
        defer {
            control.withLock { control in
                control.reading = false
                if control.canceled { control.connection = nil }
            }
        }
        return try withUnsafeTemporaryAllocation(byteCount: 64 * 1024, alignment: 1) { (scratch) throws(EtcdError) -> EtcdWatchMessage? in
            while true {
                let count: Int?
                do throws(EtcdConnection.Failure) {
                    count = try EtcdConnection.readSome(descriptor, into: scratch, until: deadline)
                } catch {
                    throw isCanceled ? canceledError : .unavailable("the etcd watch on \(endpoint) broke: \(error.reason)")
                }
                guard let count else { return nil }
                if count == 0 {
                    if isCanceled { throw canceledError }
                    try stream.endOfFile()
                } else {
                    try stream.feed(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
                }
                if let message = try stream.next() { return message }
                if isCanceled { throw canceledError }
            }
        }
    }

    private var isCanceled: Bool { control.withLock { $0.canceled } }
}
