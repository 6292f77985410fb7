/// Resource limits that keep one client from starving the others.
public struct LimitConfig: Sendable, Equatable {
    /// Open client connections at most; accept pauses beyond it. ≥ 1.
    public var maxConnections: Int
    /// Size of a request head at most (431 beyond). 1024...1_048_576, since it sizes
    /// per-connection buffers.
    public var maxHeaderBytes: Int
    /// Size of a request body at most (413 beyond); ≥ 0 (0 refuses every body).
    public var maxBodyBytes: Int

    /// Creates a limits section; the defaults are 20000 connections, 32 KiB heads, 100 MiB bodies.
    public init(maxConnections: Int = 20_000, maxHeaderBytes: Int = 32_768, maxBodyBytes: Int = 104_857_600) {
        self.maxConnections = maxConnections
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }
}
