import Glibc

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
func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
