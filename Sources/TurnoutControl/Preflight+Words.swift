import TurnoutConfig
import TurnoutPosix

/// What a preflight's outcomes mean: which target missed, and the words that say so, naming
/// the server, the request and what came back.
extension Preflight {
    /// The misses listed in a refusal; the rest are counted.
    static let shownMisses = 10
    /// Body bytes quoted when a body lacks the text expected.
    static let quotedBodyBytes = 60

    /// Why `outcome` misses `target`'s check, as a clause that starts with the server's address;
    /// nil when it passes.
    func miss(_ outcome: Outcome, target: Target) -> String? {
        let server = target.server.description
        let request = target.check.description
        switch outcome {
        case .answered(let answer):
            guard answer.status == target.check.status else {
                return "\(server) answered \(request) with \(answer.status) (expected \(target.check.status))"
            }
            guard let text = target.check.bodyContains else { return nil }
            if Self.contains(answer.body, Array(text.utf8)) { return nil }
            let scope = answer.truncated ? " in its first \(Self.bodyLimit / 1024) KiB" : ""
            let start = answer.body.isEmpty ? "the body is empty" : "it starts \"\(Self.printable(answer.body.prefix(Self.quotedBodyBytes)))\(answer.body.count > Self.quotedBodyBytes || answer.truncated ? "…" : "")\""
            return "\(server) answered \(request) with \(answer.status) but the body does not contain \"\(text)\"\(scope) (\(start))"
        case .failed(.connect(let error)) where error == .connectionRefused:
            return "\(server) refused the connection for \(request)"
        case .failed(.connect(let error)):
            return "\(server) could not be reached for \(request) (\(error))"
        case .failed(.send):
            return "\(server) accepted the connection but \(request) could not be sent"
        case .failed(.closed(nil)):
            return "\(server) closed the connection without answering \(request)"
        case .failed(.closed(let status?)):
            return "\(server) answered \(request) with \(status) but closed the connection before the end of the body"
        case .failed(.invalid(let reason)):
            return "\(server) answered \(request) with an invalid response (\(reason))"
        case .timedOut(connecting: true):
            return "\(server) did not accept the connection for \(request) within \(timeoutMs) ms"
        case .timedOut(connecting: false):
            return "\(server) did not answer \(request) within \(timeoutMs) ms"
        case .unchecked:
            return "\(server) gave no answer to \(request) before the preflight's \(Self.seconds(budgetNanoseconds)) s ran out"
        case .unusableAddress:
            return "\(server) cannot be checked with \(request): its host is a name, and Turnout connects to numeric addresses only"
        }
    }

    /// The refusal for a preflight with `misses` (in target order) before switching to `pool`.
    static func refusal(pool: String, misses: [String]) -> String {
        var shown = misses.prefix(shownMisses).joined(separator: "; ")
        if misses.count > shownMisses {
            let more = misses.count - shownMisses
            shown += "; and \(more) more \(more == 1 ? "miss" : "misses")"
        }
        return "preflight refused the switch to \(quoted(pool)): \(shown); nothing changed"
    }

    /// The history's reason for a passed preflight: `preflight passed: 2 servers × 2 checks`.
    static func passed(servers: Int, checks: Int, drained: Int) -> String {
        var text = "preflight passed: \(counted(servers, "server")) × \(counted(checks, "check"))"
        if drained > 0 { text += " (\(counted(drained, "drained server")) not checked)" }
        return text
    }

    /// `8`, `0.3`: a budget in seconds.
    static func seconds(_ nanoseconds: UInt64) -> String {
        nanoseconds % 1_000_000_000 == 0 ? String(nanoseconds / 1_000_000_000) : String(Double(nanoseconds) / 1e9)
    }

    /// Whether `needle` occurs in `haystack`, byte for byte.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        for start in 0...(haystack.count - needle.count) where haystack[start] == first {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }

    /// Body bytes as one line of text: UTF-8 (invalid bytes replaced), line breaks and other
    /// control characters escaped.
    static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        var out = ""
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// `1 server`, `2 servers`.
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
