import Testing
import TurnoutMetrics
import TurnoutTestSupport

/// The exposition writer, checked by the strict parser in `PrometheusParser.swift`; and the
/// parser itself, checked against broken inputs so that it can fail.
struct PrometheusTextTests {
    @Test func writesTheExactFormat() {
        var text = PrometheusText()
        text.family("turnout_requests_total", type: .counter, help: "Requests.")
        text.sample("turnout_requests_total", labels: [("pool", "blue"), ("server", "127.0.0.1:9001")], value: 42)
        text.family("turnout_ratio", type: .gauge, help: "A \\ and a\nnewline.")
        text.sample("turnout_ratio", value: 0.0025)
        #expect(text.text == """
            # HELP turnout_requests_total Requests.
            # TYPE turnout_requests_total counter
            turnout_requests_total{pool="blue",server="127.0.0.1:9001"} 42
            # HELP turnout_ratio A \\\\ and a\\nnewline.
            # TYPE turnout_ratio gauge
            turnout_ratio 0.0025

            """)
        #expect(PrometheusText().text == "")
    }

    @Test func valuesLabelsAndHelpRoundTrip() throws {
        let values: [Double] = [0, 1, 42, -3, 0.0025, 1e-05, 0.1, 123.456, 1e20, 9_007_199_254_740_992, 1.5e-300,
                                .infinity, -.infinity, .nan, -0.0, Double(UInt64.max)]
        let labelValues = ["plain", "a\"b\\c", "line\nbreak", "", "zé ☃", "\\n literally", "{},="]
        var text = PrometheusText()
        text.family("turnout_value", type: .gauge, help: "Help with \\ backslash,\nnewline and \"quotes\".")
        for (i, value) in values.enumerated() {
            text.sample("turnout_value", labels: [("i", String(i)), ("v", labelValues[i % labelValues.count])], value: value)
        }
        text.family("turnout_plain_total", type: .counter, help: "")
        text.sample("turnout_plain_total", value: 7)

        let families = try PrometheusParser.parse(text.text)
        #expect(families.map(\.name) == ["turnout_value", "turnout_plain_total"])
        #expect(families.map(\.type) == ["gauge", "counter"])
        #expect(families[0].help == "Help with \\ backslash,\nnewline and \"quotes\".")
        #expect(families[1].help == "")
        #expect(families[0].samples.count == values.count)
        for (i, sample) in families[0].samples.enumerated() {
            #expect(sample.labels == ["i": String(i), "v": labelValues[i % labelValues.count]])
            if values[i].isNaN { #expect(sample.value.isNaN) } else { #expect(sample.value == values[i]) }
        }
        #expect(families[1].value("turnout_plain_total") == 7)
    }

    @Test func formatsNumbersAsGoParsesThem() throws {
        let cases: [(Double, String)] = [
            (42, "42"), (0, "0"), (-0.0, "0"), (-7, "-7"), (1, "1"), (10, "10"), (0.0005, "0.0005"),
            (0.0025, "0.0025"), (2.5, "2.5"), (1e-05, "1e-05"), (.infinity, "+Inf"), (-.infinity, "-Inf"),
            (.nan, "NaN"), (1e20, "1e+20"), (123_456_789, "123456789"),
        ]
        for (value, expected) in cases {
            #expect(PrometheusText.format(value) == expected)
            let parsed = try PrometheusParser.value(PrometheusText.format(value))
            #expect(parsed == value || (parsed.isNaN && value.isNaN))
        }
        var rng = TestRandom(seed: 77)
        for _ in 0..<1_000 {
            let value = (rng.unit() - 0.5) * Double(1 << (rng.next() % 60))
            let parsed = try PrometheusParser.value(PrometheusText.format(value))
            #expect(parsed == value)
        }
    }

    @Test func histogramRoundTrip() throws {
        var rng = TestRandom(seed: 21)
        var fast = Histogram(), slow = Histogram()
        for i in 0..<20_000 {
            let value = HistogramTests.sample(i % 4, &rng)
            if i % 3 == 0 { slow.record(value) } else { fast.record(value) }
        }
        let series: [([(String, String)], Histogram)] = [
            ([("pool", "blue"), ("server", "127.0.0.1:9001")], fast),
            ([("pool", "blue"), ("server", "a\"b\\c\nd")], slow),
            ([("pool", "empty"), ("server", "x")], Histogram()),
        ]
        var text = PrometheusText()
        text.family("turnout_upstream_latency_seconds", type: .histogram, help: "Request sent upstream to last response byte.")
        for (labels, histogram) in series {
            text.histogram("turnout_upstream_latency_seconds", labels: labels, histogram: histogram, boundsSeconds: PrometheusText.latencyBoundsSeconds)
        }
        let families = try PrometheusParser.parse(text.text)
        #expect(families.count == 1)
        let family = families[0]
        #expect(family.type == "histogram")
        let bounds = PrometheusText.latencyBoundsSeconds
        #expect(bounds.first == 0.0005 && bounds.last == 10 && (12...16).contains(bounds.count))
        let le = family.samples.prefix(bounds.count + 1).map { $0.labels["le"]! }
        #expect(le == ["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"])
        for (labels, histogram) in series {
            let base = Dictionary(uniqueKeysWithValues: labels)
            let expected = histogram.cumulativeCounts(atOrBelow: bounds.map { UInt64(($0 * 1e9).rounded()) })
            for (bound, count) in zip(le, expected + [histogram.count]) {
                #expect(family.value("turnout_upstream_latency_seconds_bucket", base.merging(["le": bound]) { a, _ in a }) == Double(count))
            }
            #expect(family.value("turnout_upstream_latency_seconds_sum", base) == Double(histogram.sum) / 1e9)
            #expect(family.value("turnout_upstream_latency_seconds_count", base) == Double(histogram.count))
        }
        #expect(family.samples.count == series.count * (bounds.count + 3))
    }

    @Test func namesFollowTheGrammar() {
        for name in ["a", "_", ":", "turnout_requests_total", "a:b_c9", "A9"] { #expect(PrometheusText.isMetricName(name)) }
        for name in ["", "9a", "a-b", "a b", "é", "a.b", "a{"] { #expect(!PrometheusText.isMetricName(name)) }
        for name in ["a", "_a", "pool", "le", "A_9"] { #expect(PrometheusText.isLabelName(name)) }
        for name in ["", "9a", "a:b", "__name__", "a-b", "é"] { #expect(!PrometheusText.isLabelName(name)) }
    }

    /// Valid inputs, so that each broken one below fails for its own defect.
    static let valid: [String] = [
        "",
        "# TYPE x counter\nx 1\n",
        "# HELP x some help\n# TYPE x counter\nx{a=\"1\"} 1.5e3 1700000000000\n",
        "# TYPE x gauge\n# HELP x help after type\nx -Inf\nx{a=\"b\"} NaN\nx{a=\"c\"} +Inf\n",
        "# a comment\n# TYPE x gauge\n\nx 1\n",
        "# TYPE x counter\nx{a=\"q\\\"\\\\\\n\",} 1\n",
        "# TYPE x counter\nx{a=\"1\",b=\"2\"} 1\nx{a=\"2\",b=\"1\"} 2\n# TYPE y gauge\ny 0\n",
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 3\nh_sum 7.5\nh_count 3\n",
        "# TYPE h histogram\n",
    ]

    /// Broken inputs: what is wrong, and the text.
    static let broken: [(String, String)] = [
        ("sample before TYPE", "x 1\n"),
        ("HELP but no TYPE", "# HELP x h\nx 1\n"),
        ("TYPE twice", "# TYPE x counter\n# TYPE x counter\nx 1\n"),
        ("TYPE after samples", "# TYPE x counter\nx 1\n# TYPE x gauge\n"),
        ("HELP twice", "# HELP x a\n# HELP x b\n# TYPE x counter\n"),
        ("unknown type", "# TYPE x countr\nx 1\n"),
        ("garbage after TYPE", "# TYPE x counter extra\nx 1\n"),
        ("bad escape in HELP", "# HELP x a \\t tab\n# TYPE x counter\n"),
        ("bad metric name", "# TYPE 1x counter\n1x 1\n"),
        ("bad metric name in sample", "# TYPE x counter\nx-y 1\n"),
        ("bad label name", "# TYPE x counter\nx{1a=\"v\"} 1\n"),
        ("reserved label name", "# TYPE x counter\nx{__a=\"v\"} 1\n"),
        ("colon in label name", "# TYPE x counter\nx{a:b=\"v\"} 1\n"),
        ("unescaped quote", "# TYPE x counter\nx{a=\"b\"c\"} 1\n"),
        ("bad escape", "# TYPE x counter\nx{a=\"b\\qc\"} 1\n"),
        ("trailing backslash", "# TYPE x counter\nx{a=\"b\\\"} 1\n"),
        ("unterminated label value", "# TYPE x counter\nx{a=\"b} 1\n"),
        ("unquoted label value", "# TYPE x counter\nx{a=b} 1\n"),
        ("label twice", "# TYPE x counter\nx{a=\"1\",a=\"2\"} 1\n"),
        ("duplicate series", "# TYPE x counter\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n"),
        ("duplicate series, labels reordered", "# TYPE x counter\nx{a=\"1\",b=\"2\"} 1\nx{b=\"2\",a=\"1\"} 2\n"),
        ("duplicate unlabelled series", "# TYPE x counter\nx 1\nx 2\n"),
        ("unparsable value", "# TYPE x counter\nx 1.2.3\n"),
        ("word as value", "# TYPE x counter\nx abc\n"),
        ("lowercase inf", "# TYPE x counter\nx inf\n"),
        ("no value", "# TYPE x counter\nx\n"),
        ("blank but no value", "# TYPE x counter\nx \n"),
        ("trailing garbage", "# TYPE x counter\nx 1 2 3\n"),
        ("bad timestamp", "# TYPE x counter\nx 1 12a\n"),
        ("garbage after labels", "# TYPE x counter\nx{a=\"1\"}z 1\n"),
        ("no final newline", "# TYPE x counter\nx 1"),
        ("carriage return", "# TYPE x counter\nx 1\r\n"),
        ("leading blank", "# TYPE x counter\n x 1\n"),
        ("sample of another family", "# TYPE x counter\ny 1\n"),
        ("family not grouped", "# TYPE x counter\nx 1\n# TYPE y gauge\ny 1\nx{a=\"1\"} 2\n"),
        ("histogram without +Inf", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"),
        ("+Inf not last", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"),
        ("buckets not cumulative", "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"2\"} 2\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 3\n"),
        ("le not ascending", "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"),
        ("+Inf bucket ≠ _count", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"),
        ("missing _sum", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n"),
        ("missing _count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 2\n"),
        ("bucket without le", "# TYPE h histogram\nh_bucket 2\nh_bucket{le=\"+Inf\"} 2\nh_sum 2\nh_count 2\n"),
        ("unparsable le", "# TYPE h histogram\nh_bucket{le=\"abc\"} 2\nh_bucket{le=\"+Inf\"} 2\nh_sum 2\nh_count 2\n"),
        ("bare sample in a histogram family", "# TYPE h histogram\nh 1\n"),
        ("_sum and _count only", "# TYPE h histogram\nh_sum 1\nh_count 1\n"),
        ("one series misses +Inf", "# TYPE h histogram\nh_bucket{a=\"1\",le=\"+Inf\"} 1\nh_sum{a=\"1\"} 1\nh_count{a=\"1\"} 1\nh_bucket{a=\"2\",le=\"1\"} 1\nh_sum{a=\"2\"} 1\nh_count{a=\"2\"} 1\n"),
    ]

    @Test func parserAcceptsValidInputs() throws {
        for text in Self.valid { _ = try PrometheusParser.parse(text) }
        let families = try PrometheusParser.parse(Self.valid[5])
        #expect(families[0].samples[0].labels == ["a": "q\"\\\n"])
        #expect(try PrometheusParser.parse(Self.valid[2])[0].samples[0].timestamp == 1_700_000_000_000)
    }

    @Test(arguments: broken)
    func parserRejects(_ defect: String, _ text: String) {
        #expect(throws: PrometheusParseError.self, "\(defect)") { try PrometheusParser.parse(text) }
    }
}
