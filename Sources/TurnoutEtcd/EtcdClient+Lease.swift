/// Leases: keys attached to one vanish when it expires, which is how a Turnout instance's
/// presence disappears with it.
extension EtcdClient {
    /// Grants a lease of `ttl` seconds; returns its id and the TTL etcd granted. Not sent twice:
    /// a lost answer would otherwise leave a second lease behind until it expires.
    public func grantLease(ttl: Int64) throws(EtcdError) -> (id: Int64, ttl: Int64) {
        try EtcdCodec.decodeLeaseGrant(call(EtcdCodec.leaseGrant(ttl: ttl), resendable: false))
    }

    /// Renews the lease once; returns the TTL it has again, 0 when it had already expired (or
    /// never existed). Safe to send again, so it fails over like a read.
    public func keepAlive(lease: Int64) throws(EtcdError) -> Int64 {
        try EtcdCodec.decodeLeaseKeepAlive(call(EtcdCodec.leaseKeepAlive(id: lease), resendable: true))
    }

    /// Revokes the lease and deletes its keys. A lease that is gone (expired, revoked) throws
    /// `.server(code: 5, …)` ("requested lease not found"), which a caller that only wants it
    /// gone may ignore.
    public func revokeLease(_ id: Int64) throws(EtcdError) {
        _ = try EtcdCodec.decodeLeaseRevoke(call(EtcdCodec.leaseRevoke(id: id), resendable: true))
    }
}
