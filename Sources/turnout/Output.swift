import Glibc
import TurnoutPosix

/// Turnout's version, shown by `turnout version` and in the admin status.
enum TurnoutVersion {
    static let current = "0.1.0"
}

/// One line on stderr: errors say what and where.
func printError(_ message: String) {
    writeStandardError("turnout: \(message)\n")
}

/// One line on stderr for lifecycle notices, so stdout stays for data (access log, check).
func printNotice(_ message: String) {
    writeStandardError("turnout: \(message)\n")
}

/// write(2) on descriptor 2: Glibc's `stderr` is a global C variable Swift 6 will not share.
func writeStandardError(_ text: String) { write(text, to: 2) }

/// Text on stdout at once, unbuffered: `print` holds it back when stdout is a pipe, and the demo
/// runs until Ctrl-C.
func writeStandardOutput(_ text: String) { write(text, to: 1) }

private func write(_ text: String, to descriptor: Int32) {
    var text = text
    text.withUTF8 { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
}
