/// epoll event bits (sys/epoll.h), as plain constants: the C header declares them as an enum
/// whose imported type is awkward to combine.
public enum EpollEvents {
    public static let readable: UInt32 = 0x001
    public static let writable: UInt32 = 0x004
    public static let error: UInt32 = 0x008
    public static let hangUp: UInt32 = 0x010
    public static let readHangUp: UInt32 = 0x2000
    public static let edgeTriggered: UInt32 = 1 << 31
    /// What a connected socket registers once for its lifetime: in and out, edge-triggered, so
    /// the loop never re-arms it (HAProxy and nginx do the same).
    public static let connection: UInt32 = readable | writable | readHangUp | edgeTriggered
}
