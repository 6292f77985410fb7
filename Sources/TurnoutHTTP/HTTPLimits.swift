/// Bounds on a message head: the parser refuses anything larger before buffering more of it, so a
/// client cannot make Turnout hold an unbounded head (slowloris, header floods).
public struct HTTPLimits: Sendable, Equatable {
    /// Bytes of the start line, every field line and the final CRLF (leading empty lines count
    /// too). A head that grows past this is answered with 431.
    public var maxHeadBytes: Int
    /// Bytes of the request line without its CRLF. A longer line is answered with 414. The same
    /// bound applies to a response's status line.
    public var maxRequestLineBytes: Int
    /// Field lines in one head. More are answered with 431.
    public var maxHeaderCount: Int

    /// Limits with nginx-like defaults (`large_client_header_buffers 4 8k`, 32 KiB in total).
    public init(maxHeadBytes: Int = 32768, maxRequestLineBytes: Int = 8192, maxHeaderCount: Int = 128) {
        self.maxHeadBytes = maxHeadBytes
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderCount = maxHeaderCount
    }
}
