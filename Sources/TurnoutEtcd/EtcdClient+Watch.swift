/// Opening watches.
extension EtcdClient {
    /// Opens a watch stream on `key` (or `[key, rangeEnd)`) from `startRevision` (0: from now
    /// on) on its own connection, and waits (bounded by `timeout`) for etcd's confirmation.
    /// Members are tried in turn like a read. A start revision etcd compacted away shows as
    /// `.compacted(revision:)` from the first `next` (etcd 3.4 confirms the watch, then cancels it),
    /// or from this call if etcd cancels at once.
    public func watch(key: String, rangeEnd: String?, startRevision: Int64, previousKV: Bool = false) throws(EtcdError) -> EtcdWatch {
        try watch(key: key, rangeEnd: rangeEnd, startRevision: startRevision, previousKV: previousKV, progressNotify: false)
    }

    /// `watch` with etcd's progress notifications: messages without events now and then (every
    /// 10 minutes by default) telling that the store reached their header's revision.
    public func watch(key: String, rangeEnd: String?, startRevision: Int64, previousKV: Bool, progressNotify: Bool) throws(EtcdError) -> EtcdWatch {
        guard !endpoints.isEmpty else { throw .unavailable("no etcd endpoints are configured") }
        let deadline = Deadline.after(seconds: timeout)
        let request = EtcdCodec.watchCreate(key: key, rangeEnd: rangeEnd, startRevision: startRevision,
                                            previousKV: previousKV, progressNotify: progressNotify)
        let first = pool.withLock { $0.preferred }
        var failures: [String] = []
        for step in 0..<endpoints.count {
            let index = (first + step) % endpoints.count
            let endpoint = endpoints[index]
            let share = deadline.remainingSeconds / Double(endpoints.count - step)
            let connection: EtcdConnection
            do {
                connection = try EtcdConnection.open(to: endpoint, until: Deadline.after(seconds: share).capped(at: deadline))
            } catch {
                failures.append("\(endpoint): \(error.reason)")
                continue
            }
            do {
                // A watch request only reads: when it fails, the next member may be asked.
                try connection.send(EtcdConnection.request(path: request.path, body: request.body, endpoint: endpoint), until: deadline)
            } catch {
                failures.append("\(endpoint): \(error.reason)")
                continue
            }
            do {
                let watch = try confirm(connection, endpoint: endpoint, until: deadline)
                pool.withLock { $0.preferred = index }
                return watch
            } catch .unavailable(let reason) {
                failures.append(reason)
            } catch let error where error.isUnavailableOnServer {
                failures.append("\(endpoint) answered: \(error)")
            }
            if deadline.hasPassed { break }
        }
        if endpoints.count == 1, let only = failures.first { throw .unavailable(only.hasPrefix("etcd") ? only : "etcd at \(only)") }
        throw .unavailable("etcd could not open a watch at any endpoint: \(failures.joined(separator: "; "))")
    }

    /// Reads the answer to a watch request until etcd confirms the watch.
    private func confirm(_ connection: consuming EtcdConnection, endpoint: EtcdEndpoint, until deadline: Deadline) throws(EtcdError) -> EtcdWatch {
        var stream = WatchStream(endpoint: endpoint)
        let descriptor = connection.descriptor
        let creation: EtcdWatchMessage = try withUnsafeTemporaryAllocation(byteCount: 64 * 1024, alignment: 1) { (scratch) throws(EtcdError) -> EtcdWatchMessage in
            while true {
                while let message = try stream.next() {
                    if message.created { return message }
                }
                let count: Int?
                do throws(EtcdConnection.Failure) {
                    count = try EtcdConnection.readSome(descriptor, into: scratch, until: deadline)
                } catch {
                    throw .unavailable("etcd at \(endpoint): \(error.reason) (POST /v3/watch)")
                }
                guard let count else {
                    throw .timeout("etcd at \(endpoint) did not confirm the watch within \(Self.seconds(timeout))")
                }
                if count == 0 {
                    try stream.endOfFile()
                } else {
                    try stream.feed(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
                }
            }
        }
        return EtcdWatch(connection: connection, stream: stream, creation: creation)
    }
}
