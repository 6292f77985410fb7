#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a growing head buffer into CRLF-terminated lines, remembering how far it has searched so
/// repeated calls with a longer buffer do not rescan (O(n) in total), and enforces the size limits
/// on the line still being received, so an endless line fails without waiting for its end.
struct HeadScanner: Sendable {
    /// Offset of the first byte of the line not yet returned.
    var lineStart = 0
    /// Offset from which to continue searching for LF (bytes before it hold none after lineStart).
    var searchFrom = 0
    /// Whether the next line is the start line (or an empty line before it), to which the
    /// request-line limit applies.
    var inStartLine = true

    /// One step of the scan.
    enum Step {
        /// A complete line; `content` excludes the CRLF.
        case line(content: Range<Int>)
        case needMore
        case failed(HTTPError.Kind)
    }

    /// Returns the next complete line of `bytes`, or why there is none yet.
    ///
    /// `bytes` must start at the same byte as on every previous call and be at least as long.
    mutating func next(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits) -> Step {
        let count = bytes.count
        precondition(count >= searchFrom, "a head parser was fed a shorter buffer than before")
        if searchFrom < count, let base = bytes.baseAddress {
            // memchr is vectorised; most of a head's bytes are only ever looked at here and once
            // more by the line's validator.
            if let hit = memchr(base + searchFrom, Int32(ASCII.lf), count &- searchFrom) {
                let lf = base.distance(to: UnsafeRawPointer(hit))
                let raw = lf &- lineStart
                if let kind = limitFailure(rawLength: raw, limits: limits) { return .failed(kind) }
                if raw == 0 || bytes[lf &- 1] != ASCII.cr { return .failed(.bareLF) }
                let content = lineStart..<(lf &- 1)
                lineStart = lf &+ 1
                searchFrom = lineStart
                return .line(content: content)
            }
            searchFrom = count
        }
        if let kind = limitFailure(rawLength: count &- lineStart, limits: limits) { return .failed(kind) }
        return .needMore
    }

    /// The limit a line breaks when at least `rawLength` bytes precede its LF.
    ///
    /// Monotone in `rawLength`: the status is that of whichever limit a growing line crosses
    /// first, so a head fed byte by byte fails with the same status as when it arrives at once,
    /// only sooner.
    private func limitFailure(rawLength: Int, limits: HTTPLimits) -> HTTPError.Kind? {
        // The line ends at lineStart + rawLength + 1 (its LF) and the head can end no earlier.
        let headThreshold = limits.maxHeadBytes &- lineStart
        if !inStartLine {
            return rawLength >= headThreshold ? .headTooLarge : nil
        }
        // rawLength - 1 content bytes at least (the last byte may be the CR).
        let lineThreshold = limits.maxRequestLineBytes &+ 2
        if rawLength < min(headThreshold, lineThreshold) { return nil }
        return lineThreshold <= headThreshold ? .requestLineTooLong : .headTooLarge
    }
}
