import Foundation

extension ChangeRecord {
    /// The entry a fleet's `history/` key holds (the `/history` spelling, `HistoryEntry`) read
    /// back; nil when it is not one (written by a newer Turnout, say), which the watch skips.
    init?(historyJSON bytes: [UInt8]) {
        guard let entry = try? JSONDecoder().decode(HistoryEntry.self, from: Data(bytes)),
              let time = Self.timeFormatter().date(from: entry.time)?.timeIntervalSince1970 else { return nil }
        self.init(time: time, split: entry.split, action: entry.action, old: entry.old, new: entry.new, server: entry.server,
                  origin: ChangeOrigin(source: entry.source, caller: entry.caller, reason: entry.reason), instance: entry.instance)
    }

    /// A formatter per call: they are not safe to share between threads.
    private static func timeFormatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
