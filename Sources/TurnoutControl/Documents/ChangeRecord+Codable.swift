import TurnoutRollout

/// `source` in the history and the notifications: the raw value.
extension ChangeSource: Codable {}

/// `action` in the history and the notifications: `name`, the one spelling of each action.
extension ChangeAction: Codable {
    /// Every action, for reading a name back.
    static let all: [ChangeAction] = [.weights, .switch, .rollback, .drain, .enable, .reload, .up, .down, .eject, .return]
        + RolloutEvent.allCases.map(ChangeAction.rollout) + GuardEvent.allCases.map(ChangeAction.guarded)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let action = Self.all.first(where: { $0.name == name }) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown history action \"\(name)\"")
        }
        self = action
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// `caller`: `{"uid": 0, "pid": 4242}` for a process on the admin socket, `{"address": "…"}` for
/// a TCP client, `null` when the process itself made the change.
extension ChangeCaller: Codable {
    private enum CodingKeys: String, CodingKey {
        case uid, pid, address
    }

    public init(from decoder: any Decoder) throws {
        if try decoder.singleValueContainer().decodeNil() {
            self = .none
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let address = try container.decodeIfPresent(String.self, forKey: .address) {
            self = .address(address)
        } else {
            self = .process(uid: try container.decode(UInt32.self, forKey: .uid), pid: try container.decode(Int32.self, forKey: .pid))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .process(let uid, let pid):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(uid, forKey: .uid)
            try container.encode(pid, forKey: .pid)
        case .address(let address):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(address, forKey: .address)
        case .none:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        }
    }
}
