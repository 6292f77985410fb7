/// What the proxy tells the client about its connection after this response.
public enum ClientConnectionDirective: Sendable {
    /// Keep the connection open for the next request.
    case keepAlive
    /// Close after this response (`Connection: close`).
    case close
    /// Switch protocols: the connection becomes a tunnel (`Connection: upgrade`).
    case upgrade
}

/// Encodes the head Turnout sends to the client for an upstream's response.
public enum ResponseHeadEncoder {
    /// The head sent to the client: `HTTP/1.1 status reason`, the upstream's end-to-end fields
    /// (hop-by-hop removed as for requests, Upgrade kept only for `.upgrade`), framing for the
    /// client (`Content-Length`, `Transfer-Encoding: chunked`, or nothing for `.none` and
    /// `.closeDelimited`), `Connection: close` for `.close`, `Connection: keep-alive` when
    /// `clientVersion` is 1.0 and `.keepAlive`, `Connection: upgrade` and the Upgrade fields for
    /// `.upgrade`, and `<poolHeaderName>: <poolName>` when both are non-nil (any such field from
    /// the upstream is dropped, so it cannot claim another pool). Returns the bytes written, or
    /// nil when `out` is too small.
    ///
    /// With `.none` framing the upstream's Content-Length is passed on for HEAD and 304 answers
    /// (it describes the representation, RFC 9110 §8.6), but never for 1xx and 204.
    public static func encode(_ head: ResponseHead, source: UnsafeRawBufferPointer, framing: ResponseFraming,
                              clientVersion: HTTPVersion, connection: ClientConnectionDirective,
                              poolHeaderName: UnsafeRawBufferPointer?, poolName: UnsafeRawBufferPointer?,
                              into out: UnsafeMutableRawBufferPointer) -> Int? {
        var w = ByteWriter(out)
        w.write("HTTP/1.1 ")
        w.writeDecimal(head.status)
        w.write(byte: ASCII.sp)
        w.write(source, head.reason)
        w.write("\r\n")

        let pool: (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? =
            if let poolHeaderName, let poolName { (poolHeaderName, poolName) } else { nil }
        for f in head.fields {
            switch FieldClass.of(source, f.name) {
            case .connection, .keepAlive, .proxyConnection, .te, .trailer, .transferEncoding, .contentLength, .upgrade:
                continue
            default:
                if FieldClass.isListed(source, f.name, in: head.connectionTokens) { continue }
                if let pool, ASCII.equalsIgnoringCase(source, f.name, pool.name, 0..<pool.name.count) { continue }
                RequestHeadEncoder.writeField(&w, source, f)
            }
        }

        switch framing {
        case .none:
            let status = head.status
            if let n = head.contentLength, status >= 200, status != 204 {
                w.write("Content-Length: ")
                w.writeDecimal(Int(n))
                w.write("\r\n")
            }
        case .closeDelimited:
            break
        case .contentLength(let n):
            w.write("Content-Length: ")
            w.writeDecimal(Int(n))
            w.write("\r\n")
        case .chunked:
            w.write("Transfer-Encoding: chunked\r\n")
        }

        switch connection {
        case .close:
            w.write("Connection: close\r\n")
        case .keepAlive:
            if clientVersion == .http1_0 { w.write("Connection: keep-alive\r\n") }
        case .upgrade:
            w.write("Connection: upgrade\r\n")
            RequestHeadEncoder.writeUpgradeFields(&w, source, head.fields)
        }
        if let pool {
            w.write(pool.name)
            w.write(": ")
            w.write(pool.value)
            w.write("\r\n")
        }
        w.write("\r\n")
        return w.overflowed ? nil : w.count
    }
}
