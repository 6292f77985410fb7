import Foundation
import TurnoutRollout

extension ChangeRecord {
    /// The entry a fleet's `history/` key holds (the `/history` spelling), read back; nil when it
    /// is not one (written by a newer Turnout, say), which the watch skips.
    init?(historyJSON bytes: [UInt8]) {
        struct Entry: Decodable {
            struct Caller: Decodable { var uid: UInt32?; var pid: Int32?; var address: String? }
            var time: String
            var split: String?
            var action: String
            var old: [String: Int]?
            var new: [String: Int]?
            var source: String
            var caller: Caller?
            var reason: String?
            var server: String?
            var instance: String?
        }
        guard let entry = try? JSONDecoder().decode(Entry.self, from: Data(bytes)),
              let time = Self.timeFormatter().date(from: entry.time)?.timeIntervalSince1970,
              let action = ChangeAction(name: entry.action), let source = ChangeSource(rawValue: entry.source) else { return nil }
        let caller: ChangeCaller
        switch (entry.caller?.uid, entry.caller?.pid, entry.caller?.address) {
        case (let uid?, let pid?, _): caller = .process(uid: uid, pid: pid)
        case (_, _, let address?): caller = .address(address)
        default: caller = .none
        }
        self.init(time: time, split: entry.split, action: action, old: entry.old, new: entry.new, server: entry.server,
                  origin: ChangeOrigin(source: source, caller: caller, reason: entry.reason), instance: entry.instance)
    }

    /// A formatter per call: they are not safe to share between threads.
    private static func timeFormatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}

extension ChangeAction {
    /// The action whose wire name is `name`.
    init?(name: String) {
        let plain: [ChangeAction] = [.weights, .switch, .rollback, .drain, .enable, .reload, .up, .down, .eject, .return]
        if let action = plain.first(where: { $0.name == name }) {
            self = action
        } else if let event = RolloutEvent(rawValue: name) {
            self = .rollout(event)
        } else {
            return nil
        }
    }
}
