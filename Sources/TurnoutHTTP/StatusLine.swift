/// Parsing of the status line (RFC 9112 §4): `HTTP-version SP 3DIGIT SP reason-phrase`.
enum StatusLine {
    /// Fills version, status and reason of `head` from `bytes[line]` (without CRLF). A missing
    /// SP after the code is accepted when the reason is empty (`HTTP/1.1 200`), as common servers
    /// send it and it is unambiguous.
    static func parse(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>, into head: inout ResponseHead) -> HTTPError.Kind? {
        let s = line.lowerBound
        guard line.count >= 12, bytes[s &+ 8] == ASCII.sp else { return .invalidStatusLine }
        switch HTTPVersionText.parse(bytes, s..<(s &+ 8)) {
        case .success(let v): head.version = v
        case .failure(let e): return e.kind == .unsupportedVersion ? .unsupportedVersion : .invalidStatusLine
        }
        var status = 0
        for i in (s &+ 9)..<(s &+ 12) {
            let d = bytes[i] &- 0x30
            if d >= 10 { return .invalidStatusLine }
            status = status &* 10 &+ Int(d)
        }
        if status < 100 { return .invalidStatusLine }
        head.status = status
        if line.count == 12 {
            head.reason = line.upperBound..<line.upperBound
            return nil
        }
        guard bytes[s &+ 12] == ASCII.sp else { return .invalidStatusLine }
        let reason = (s &+ 13)..<line.upperBound
        for i in reason where !ASCII.isFieldValueChar(bytes[i]) { return .invalidStatusLine }
        head.reason = reason
        return nil
    }
}
