import Testing
@testable import TurnoutCore

@Suite struct ExchangeTests {
    /// `Exchange.start` sets every stored property by hand (a whole-value assignment costs a
    /// copy per request): a property added to `Exchange` must be added there too, and this
    /// count is the reminder.
    @Test func startSetsEveryStoredProperty() {
        #expect(Mirror(reflecting: Exchange()).children.count == Exchange.propertyCount,
                "Exchange gained or lost a stored property: set it in Exchange.start and update propertyCount")
    }

    /// A started exchange carries nothing of the one before it.
    @Test func startForgetsThePreviousRequest() {
        var exchange = Exchange()
        exchange.encodedHeadLength = 120
        exchange.requestSent = true
        exchange.response = .relaying
        exchange.attempts.tried.insert(3)
        exchange.attempts.retriesUsed = 2
        exchange.meter.bytesSent = 99
        exchange.start(method: .post, clientVersion: .http1_0, upgrade: false, requestBody: BodyTransfer())
        #expect(exchange.method == .post && exchange.clientVersion == .http1_0)
        #expect(exchange.encodedHeadLength == 0 && !exchange.requestSent && exchange.awaitingResponseHead)
        #expect(exchange.attempts.tried.isEmpty && exchange.attempts.retriesUsed == 0)
        #expect(exchange.meter.bytesSent == 0)
    }
}
