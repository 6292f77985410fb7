import TurnoutPosix

/// The access log line of each request (SPEC §8), formatted into the worker's batch without
/// building Strings: `{"time":…,"client":…,"method":…,"path":…,"status":…,"pool":…,"server":…,
/// "upstream_ms":…,"total_ms":…,"bytes_sent":…,"bytes_received":…}` (bytes to and from the
/// upstream). Nothing is done when `access_log` is off.
extension ClientConnection {
    /// Keeps the method and target for the line: the head's bytes are reused before the
    /// response ends. The arrays keep their capacity, so this allocates nothing after warm-up.
    func captureForAccessLog(source: UnsafeRawBufferPointer) {
        guard worker.accessLog != nil else { return }
        logMethod.removeAll(keepingCapacity: true)
        logMethod += source[request.methodBytes]
        logTarget.removeAll(keepingCapacity: true)
        logTarget += source[request.target]
        logPending = true
    }

    /// Writes the line of the current request, once.
    func writeAccessLog(status: Int) {
        guard logPending, let batch = worker.accessLog else { return }
        logPending = false
        let server = exchange.upstream?.server
        let now = monotonicNanoseconds()
        batch.lines += #"{"time":""#.utf8
        batch.appendTime()
        batch.lines += #"","client":""#.utf8
        appendEscaped(clientAddress, to: &batch.lines)
        batch.lines += #"","method":""#.utf8
        appendEscaped(logMethod, to: &batch.lines)
        batch.lines += #"","path":""#.utf8
        appendEscaped(logTarget, to: &batch.lines)
        batch.lines += #"","status":"#.utf8
        appendDigits(status, to: &batch.lines)
        batch.lines += #","pool":"#.utf8
        if let pool = exchange.pool { appendQuoted(pool.definition.name, to: &batch.lines) } else { batch.lines += "null".utf8 }
        batch.lines += #","server":"#.utf8
        if let server { appendQuoted(server.definition.label, to: &batch.lines) } else { batch.lines += "null".utf8 }
        batch.lines += #","upstream_ms":"#.utf8
        if server != nil && exchange.meter.startedAt != 0 { appendMilliseconds(now &- exchange.meter.startedAt, to: &batch.lines) } else { batch.lines += "null".utf8 }
        batch.lines += #","total_ms":"#.utf8
        appendMilliseconds(requestStartedAt == 0 ? 0 : now &- min(now, requestStartedAt), to: &batch.lines)
        batch.lines += #","bytes_sent":"#.utf8
        appendDigits(Int(server == nil ? 0 : exchange.meter.bytesSent), to: &batch.lines)
        batch.lines += #","bytes_received":"#.utf8
        appendDigits(Int(server == nil ? 0 : exchange.meter.bytesReceived), to: &batch.lines)
        batch.lines += "}\n".utf8
        batch.lineAdded()
    }
}

/// `nanoseconds` as milliseconds with three decimals.
private func appendMilliseconds(_ nanoseconds: UInt64, to bytes: inout [UInt8]) {
    let microseconds = Int(nanoseconds / 1_000)
    appendDigits(microseconds / 1_000, to: &bytes)
    bytes.append(0x2E)
    appendDigits(microseconds % 1_000, width: 3, to: &bytes)
}

private func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
    bytes.append(0x22)
    var text = text
    text.withUTF8 { appendEscaped($0, to: &bytes) }
    bytes.append(0x22)
}

/// JSON string content: quote, backslash and anything outside printable ASCII as \u00XX, so a
/// hostile path can neither break the line nor smuggle another one.
private func appendEscaped<Bytes: Sequence>(_ source: Bytes, to bytes: inout [UInt8]) where Bytes.Element == UInt8 {
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    for byte in source {
        if byte == 0x22 || byte == 0x5C {
            bytes.append(0x5C)
            bytes.append(byte)
        } else if byte < 0x20 || byte >= 0x7F {
            bytes += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
        } else {
            bytes.append(byte)
        }
    }
}
