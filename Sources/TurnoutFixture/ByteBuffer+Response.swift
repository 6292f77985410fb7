import TurnoutHTTP
import TurnoutPosix

/// Response bytes are appended straight into a connection's pooled output buffer: no String,
/// no array, no allocation. Callers check the room first (`FixtureConnection.headRoom`), so a
/// head that does not fit is a programming error, not a runtime condition.
extension ByteBuffer {
    /// Runs `body` with a writer over the free space and keeps what it wrote.
    @inline(__always)
    func writing(_ body: (inout ByteWriter) -> Void) {
        var writer = ByteWriter(UnsafeMutableRawBufferPointer(start: writePointer, count: writableCount))
        body(&writer)
        precondition(!writer.overflowed, "fixture response head larger than the room reserved for it")
        writeIndex += writer.count
    }

    /// Moves unread bytes to the front when fewer than `room` bytes are free; returns whether
    /// `room` bytes are free now.
    @inline(__always)
    func makeRoom(_ room: Int) -> Bool {
        if writableCount < room { compact() }
        return writableCount >= room
    }
}

extension ByteWriter {
    /// Appends a byte array (the fixture's name field, a copied head).
    @inline(__always)
    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// `HTTP/1.1 <status> <reason>\r\n`.
    mutating func writeStatusLine(_ status: Int) {
        write("HTTP/1.1 ")
        writeDecimal(status)
        write(byte: 0x20)
        write(CannedResponse.reasonPhrase(status))
        write("\r\n")
    }
}
