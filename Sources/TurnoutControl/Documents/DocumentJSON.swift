import Foundation

/// The one JSON spelling of the admin API's documents: the server encodes with it, `turnout ctl`
/// decodes with it.
///
/// Encoding goes through `DocumentEncoder` rather than `JSONEncoder`, because the text must stay
/// what the API has always written. Keys are sorted the way `JSONSerialization` sorts them,
/// numerically and ignoring case (`1m, 5m, 10s`; `127.0.0.1:9001` before `127.0.0.1:10001`),
/// while `JSONEncoder`'s `.sortedKeys` compares code points (`10s, 1m, 5m`). The page's script
/// walks `/stats/series` in that order. Numbers, escapes and the pretty layout match too:
/// `DocumentJSONTests` checks this against `JSONSerialization`.
public enum DocumentJSON {
    /// The document as JSON text: sorted keys, pretty printed (two spaces, `"key" : value`) or
    /// compact on one line.
    public static func text<Document: Encodable>(_ document: Document, pretty: Bool = true) throws -> String {
        let root = DocumentNode()
        try document.encode(to: DocumentEncoder(node: root, codingPath: []))
        var out = ""
        root.write(into: &out, pretty: pretty, depth: 0)
        return out
    }

    /// Reads a document the admin API wrote.
    public static func decode<Document: Decodable>(_ type: Document.Type, from text: String) throws -> Document {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// An admin answer's text: the document pretty printed, with a final newline.
public func jsonText<Document: Encodable>(_ document: Document) -> String {
    do {
        return try DocumentJSON.text(document) + "\n"
    } catch {
        // Only a non-finite number gets here, and every report rounds those to finite values first.
        return #"{"error": "the report could not be encoded"}"#
    }
}

/// A compact answer (one line, no final newline): for a few hundred rows of `/stats/series`, and
/// for a notification's body.
func compactJSONText<Document: Encodable>(_ document: Document) -> String {
    do {
        return try DocumentJSON.text(document, pretty: false)
    } catch {
        return #"{"error": "the document could not be encoded"}"#
    }
}

extension DocumentNode {
    /// Writes the value as `JSONSerialization` would with `.sortedKeys` (and `.prettyPrinted`).
    func write(into out: inout String, pretty: Bool, depth: Int) {
        switch kind {
        case .scalar:
            out += text
        case .array:
            out += "["
            if pretty { out += "\n" }
            for (index, element) in elements.enumerated() {
                if index > 0 { out += pretty ? ",\n" : "," }
                if pretty { Self.indent(&out, depth + 1) }
                element.write(into: &out, pretty: pretty, depth: depth + 1)
            }
            if pretty { out += "\n"; Self.indent(&out, depth) }
            out += "]"
        case .object:
            out += "{"
            if pretty { out += "\n" }
            for (index, key) in members.keys.sorted(by: Self.precedes).enumerated() {
                if index > 0 { out += pretty ? ",\n" : "," }
                if pretty { Self.indent(&out, depth + 1) }
                out += DocumentNode.quoted(key) + (pretty ? " : " : ":")
                members[key]!.write(into: &out, pretty: pretty, depth: depth + 1)
            }
            if pretty { out += "\n"; Self.indent(&out, depth) }
            out += "}"
        }
    }

    private static func indent(_ out: inout String, _ depth: Int) {
        out += String(repeating: "  ", count: depth)
    }

    /// `JSONSerialization`'s order for `.sortedKeys`: numeric runs compared as numbers, case
    /// ignored, ties broken so the order is total.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: [.numeric, .caseInsensitive, .forcedOrdering], range: a.startIndex..<a.endIndex,
                  locale: NSLocale.system) == .orderedAscending
    }
}
