import Testing
@testable import TurnoutEtcd

/// The strict JSON reader under the codec.
@Suite struct JSONParserTests {
    @Test func valuesOfEveryKind() throws {
        let value = try JSONParser.parse(Array(#" {"a":[true,false,null,-0,12.5e-3,"x\u00e9\ud83d\ude00\n\"\\\/"],"b":{}} "#.utf8))
        #expect(value == .object([
            "a": .array([.bool(true), .bool(false), .null, .number("-0"), .number("12.5e-3"), .string("xé😀\n\"\\/")]),
            "b": .object([:]),
        ]))
    }

    @Test func numbersKeepTheirDigits() throws {
        #expect(try JSONParser.parse(Array("9223372036854775807".utf8)) == .number("9223372036854775807"))
    }

    @Test(arguments: [
        ("{", "expected a member name in quotes at byte 1, found the end"),
        (#"{"a":1,}"#, "expected a member name in quotes at byte 7, found '}'"),
        ("[1,]", "expected a value at byte 3, found ']'"),
        ("01", "expected the end after the value at byte 1, found '1'"),
        ("1.", "expected a digit after '.' at byte 2, found the end"),
        ("-", "expected a digit at byte 1, found the end"),
        ("tru", "expected 'true' at byte 0, found 't'"),
        (#""a"#, "expected the closing '\"' of a string at byte 2, found the end"),
        ("\"\u{01}\"", "expected no control character inside a string at byte 1, found byte 0x1"),
        (#""\x""#, #"expected one of \" \\ \/ \b \f \n \r \t \u after a backslash at byte 2, found 'x'"#),
        (#""\ud800""#, "expected the low surrogate after a high one at byte 7, found '\"'"),
        (#""\udc00""#, "a low surrogate without its high one before byte 7"),
        ("{} {}", "expected the end after the value at byte 3, found '{'"),
    ])
    func syntaxErrorsSayWhere(text: String, message: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(text.utf8)) }
        do {
            _ = try JSONParser.parse(Array(text.utf8))
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func invalidUTF8InAStringIsRefused() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xff, 0x22]) }
    }

    @Test func nestingIsBounded() throws {
        let deep = Array(repeating: UInt8(ascii: "["), count: 65) + Array(repeating: UInt8(ascii: "]"), count: 65)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
        let fine = Array(repeating: UInt8(ascii: "["), count: 64) + Array(repeating: UInt8(ascii: "]"), count: 64)
        _ = try JSONParser.parse(fine)
    }

    @Test func theWriterEscapesNothingItNeedNot() {
        var json = JSONWriter()
        json.beginObject()
        json.name("a")
        json.beginArray()
        json.int64(-5)
        json.bool(false)
        json.beginObject()
        json.endObject()
        json.endArray()
        json.name("b")
        json.asciiString("X")
        json.endObject()
        #expect(json.bytes.text == #"{"a":["-5",false,{}],"b":"X"}"#)
    }
}

/// Cutting a stream into JSON objects, wherever its pieces end.
@Suite struct JSONObjectSplitterTests {
    @Test func objectsComeOutWholeWhereverTheStreamIsCut() throws {
        let objects = [#"{"a":"}{\"}"}"#, #"{"b":[{"c":1}],"d":"\\"}"#, "{}"]
        let stream = Array((objects[0] + "\n" + objects[1] + "\r\n  " + objects[2] + "\n").utf8)
        try forEverySplit(of: stream) { pieces in
            var splitter = JSONObjectSplitter()
            var found: [String] = []
            for piece in pieces {
                splitter.append(piece)
                while let object = try splitter.next() { found.append(object.text) }
            }
            #expect(found == objects)
            #expect(splitter.pendingCount == 0)
        }
    }

    @Test func somethingOtherThanAnObjectIsAnError() {
        var splitter = JSONObjectSplitter()
        splitter.append(Array("{} x".utf8))
        #expect(throws: Never.self) { _ = try splitter.next() }
        #expect(throws: JSONSyntaxError.self) { _ = try splitter.next() }
    }

    @Test func anEndlessObjectIsBounded() throws {
        var splitter = JSONObjectSplitter(maxObjectBytes: 100)
        splitter.append(Array(#"{"a":""#.utf8))
        #expect(try splitter.next() == nil)
        splitter.append(Array(repeating: UInt8(ascii: "x"), count: 200))
        #expect(throws: JSONSyntaxError.self) { _ = try splitter.next() }
    }
}
