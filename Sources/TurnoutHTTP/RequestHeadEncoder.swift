/// Encodes the head Turnout sends upstream for a client's request.
public enum RequestHeadEncoder {
    /// The head sent upstream: `METHOD target HTTP/1.1`, the client's end-to-end fields in order,
    /// with hop-by-hop fields removed (Connection, every field Connection names, Keep-Alive,
    /// Proxy-Connection, TE, Trailer, Transfer-Encoding, Content-Length (re-added from `framing`),
    /// Upgrade unless `head.upgrade`); existing X-Forwarded-For values kept and `clientAddress`
    /// appended (", " joined, one field); X-Forwarded-Proto set to `proto`; X-Forwarded-Host set
    /// from the host (incoming X-Forwarded-Proto/Host replaced); then `Content-Length: n` or
    /// `Transfer-Encoding: chunked` per `framing` (`.none` → neither); when `head.upgrade`:
    /// `Connection: upgrade` and the Upgrade fields. Returns the bytes written, or nil when `out`
    /// is too small.
    ///
    /// An absolute-form target is sent in origin-form (path and query) with `Host` set to its
    /// authority, as RFC 9112 §3.2.2 requires of a proxy; a fragment is never sent. A Connection
    /// field naming `Host` does not remove it: that would only break the upstream's routing. A
    /// request without Host (HTTP/1.0) gets an empty `Host:`, which HTTP/1.1 requires.
    public static func encode(_ head: RequestHead, source: UnsafeRawBufferPointer, clientAddress: UnsafeRawBufferPointer,
                              proto: StaticString, framing: RequestFraming, into out: UnsafeMutableRawBufferPointer) -> Int? {
        var w = ByteWriter(out)
        w.write(source, head.methodBytes)
        w.write(byte: ASCII.sp)
        switch head.targetForm {
        case .origin, .absolute:
            w.write(source, head.path)
            if let q = head.query {
                w.write(byte: ASCII.question)
                w.write(source, q)
            }
        case .authority, .asterisk:
            w.write(source, head.target)
        }
        w.write(" HTTP/1.1\r\n")

        let replaceHost = head.targetForm == .absolute
        var forwardedFor = 0
        var wroteHost = false
        for f in head.fields {
            let c = FieldClass.of(source, f.name)
            switch c {
            case .xForwardedFor:
                forwardedFor &+= 1
                continue
            case .xForwardedProto, .xForwardedHost:
                continue
            case .host:
                if replaceHost { continue }
                wroteHost = true
            case .endToEnd:
                if FieldClass.isListed(source, f.name, in: head.connectionTokens) { continue }
            default:
                continue  // hop-by-hop, Upgrade included (re-added below when upgrading)
            }
            writeField(&w, source, f)
        }
        if !wroteHost {
            // An absolute-form target's authority replaces Host. An HTTP/1.0 client may omit
            // Host (with any target form, CONNECT's authority-form included), but the request
            // goes upstream as 1.1, which requires one: the target's authority when it has one,
            // else empty, as RFC 9112 §3.2 says.
            w.write("Host: ")
            if let host = head.host { w.write(source, host) }
            w.write("\r\n")
        }

        w.write("X-Forwarded-For: ")
        if forwardedFor > 0 {
            for f in head.fields where !f.value.isEmpty && FieldClass.of(source, f.name) == .xForwardedFor {
                w.write(source, f.value)
                w.write(", ")
            }
        }
        w.write(clientAddress)
        w.write("\r\nX-Forwarded-Proto: ")
        w.write(proto)
        w.write("\r\n")
        if let host = head.host {
            w.write("X-Forwarded-Host: ")
            w.write(source, host)
            w.write("\r\n")
        }

        writeFraming(&w, framing)
        if head.upgrade {
            w.write("Connection: upgrade\r\n")
            writeUpgradeFields(&w, source, head.fields)
        }
        w.write("\r\n")
        return w.overflowed ? nil : w.count
    }

    /// `name: value\r\n` with the name as received.
    @inline(__always)
    static func writeField(_ w: inout ByteWriter, _ source: UnsafeRawBufferPointer, _ f: HeaderField) {
        w.write(source, f.name)
        w.write(": ")
        w.write(source, f.value)
        w.write("\r\n")
    }

    /// The framing field for the upstream, if any.
    static func writeFraming(_ w: inout ByteWriter, _ framing: RequestFraming) {
        switch framing {
        case .none: break
        case .contentLength(let n):
            w.write("Content-Length: ")
            w.writeDecimal(Int(n))
            w.write("\r\n")
        case .chunked:
            w.write("Transfer-Encoding: chunked\r\n")
        }
    }

    /// Every Upgrade field, for a request or response that switches protocols.
    static func writeUpgradeFields(_ w: inout ByteWriter, _ source: UnsafeRawBufferPointer, _ fields: [HeaderField]) {
        for f in fields where FieldClass.of(source, f.name) == .upgrade { writeField(&w, source, f) }
    }
}
