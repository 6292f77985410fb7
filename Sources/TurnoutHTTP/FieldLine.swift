/// Validation of one field line (RFC 9112 §5), shared by request and response heads and by
/// chunked trailers, so every section rejects the same smuggling shapes.
enum FieldLine {
    /// Parses the field line `bytes[line]` (without its CRLF) into name and value offsets.
    ///
    /// Rejects a line that starts with whitespace (obs-fold, or whitespace before the first field),
    /// whitespace between the name and the colon (RFC 9112 §5.1 says MUST reject: a proxy that
    /// trimmed it would read `Transfer-Encoding : chunked` while the next hop ignores it), an empty
    /// or non-token name, and CTLs, DEL or a stray CR in the value. obs-text (0x80–0xFF) is
    /// allowed in values, as RFC 9110 §5.5 requires.
    static func parse(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>, into field: inout HeaderField) -> HTTPError.Kind? {
        let end = line.upperBound
        var i = line.lowerBound
        if i == end { return .invalidFieldName }
        if ASCII.isOWS(bytes[i]) { return .obsFold }
        while i < end {
            let b = bytes[i]
            if b == ASCII.colon { break }
            if !ASCII.isTchar(b) { return invalidNameByte(bytes, at: i, end: end) }
            i &+= 1
        }
        if i == end || i == line.lowerBound { return .invalidFieldName }
        let name = line.lowerBound..<i
        let value = ASCII.trimOWS(bytes, (i &+ 1)..<end)
        if let kind = validateValue(bytes, value) { return kind }
        field = HeaderField(name: name, value: value)
        return nil
    }

    /// Rejects CTLs (but HT), DEL and stray CRs in a field value.
    ///
    /// Values are most of a head's bytes (cookies, user agents), so they are checked eight at a
    /// time: a word with no byte below 0x20 and no 0x7F is clean, which is the usual case; only a
    /// word that might hold a bad byte (or an HT) is looked at byte by byte.
    static func validateValue(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> HTTPError.Kind? {
        var j = value.lowerBound
        let end = value.upperBound
        while end &- j >= 8 {
            let w = bytes.loadUnaligned(fromByteOffset: j, as: UInt64.self)
            if SWAR.hasByteBelow0x20(w) || SWAR.hasZeroByte(w ^ 0x7F7F_7F7F_7F7F_7F7F) {
                if let kind = validateBytes(bytes, j..<(j &+ 8)) { return kind }
            }
            j &+= 8
        }
        return validateBytes(bytes, j..<end)
    }

    private static func validateBytes(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> HTTPError.Kind? {
        for j in range {
            let b = bytes[j]
            if !ASCII.isFieldValueChar(b) { return b == ASCII.cr ? .bareCR : .invalidFieldValue }
        }
        return nil
    }

    /// Names the rule a bad name byte breaks; only runs on the error path.
    private static func invalidNameByte(_ bytes: UnsafeRawBufferPointer, at start: Int, end: Int) -> HTTPError.Kind {
        let b = bytes[start]
        if b == ASCII.cr { return .bareCR }
        guard ASCII.isOWS(b) else { return .invalidFieldName }
        var i = start
        while i < end && ASCII.isOWS(bytes[i]) { i &+= 1 }
        return i < end && bytes[i] == ASCII.colon ? .whitespaceBeforeColon : .invalidFieldName
    }
}
