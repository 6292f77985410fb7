import Synchronization

/// Where a worker reports an upstream server that failed `outlier.consecutive_failures` times in
/// a row (connect failures or 5xx). The control plane installs the handler; it must hand the
/// report to another thread, because deciding on an ejection publishes a snapshot that this very
/// worker has to adopt.
public final class OutlierReports: Sendable {
    public typealias Handler = @Sendable (_ pool: String, _ server: String) -> Void
    private let handler = Mutex<Handler?>(nil)

    public init() {}

    public func install(_ handler: @escaping Handler) { self.handler.withLock { $0 = handler } }

    /// Called on a worker when a server reaches the threshold; rare, so the lock is no cost.
    func report(pool: String, server: String) {
        guard let handler = handler.withLock({ $0 }) else { return }
        handler(pool, server)
    }
}
