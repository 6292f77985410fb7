import Testing
import TurnoutMetrics

/// The exposition writer's exact text: families, escaping, number formats, histograms.
struct PrometheusTextTests {
    @Test func writesFamiliesSamplesAndEscapedLabels() {
        var text = PrometheusText()
        text.family("turnout_things_total", type: .counter, help: "Things\\counted,\nper line.")
        text.sample("turnout_things_total", labels: [("pool", "blue"), ("server", "a\"b\\c\nd")], value: 42)
        text.sample("turnout_things_total", value: 0.0025)
        text.family("turnout_ratio", type: .gauge, help: "A ratio.")
        text.sample("turnout_ratio", value: .infinity)
        #expect(text.text == """
            # HELP turnout_things_total Things\\\\counted,\\nper line.
            # TYPE turnout_things_total counter
            turnout_things_total{pool="blue",server="a\\"b\\\\c\\nd"} 42
            turnout_things_total 0.0025
            # HELP turnout_ratio A ratio.
            # TYPE turnout_ratio gauge
            turnout_ratio +Inf

            """)
    }

    @Test func histogramBucketsAreCumulativeInSeconds() {
        var histogram = Histogram()
        for ms in [1, 2, 3, 40, 700] { histogram.record(UInt64(ms) * 1_000_000) }
        var text = PrometheusText()
        text.family("turnout_latency_seconds", type: .histogram, help: "Latency.")
        text.histogram("turnout_latency_seconds", labels: [("pool", "p")], histogram: histogram, boundsSeconds: [0.0025, 0.05, 1])
        let lines = text.text.split(separator: "\n").dropFirst(2).map(String.init)
        #expect(lines == [
            #"turnout_latency_seconds_bucket{pool="p",le="0.0025"} 2"#,
            #"turnout_latency_seconds_bucket{pool="p",le="0.05"} 4"#,
            #"turnout_latency_seconds_bucket{pool="p",le="1"} 5"#,
            #"turnout_latency_seconds_bucket{pool="p",le="+Inf"} 5"#,
            #"turnout_latency_seconds_sum{pool="p"} 0.746"#,
            #"turnout_latency_seconds_count{pool="p"} 5"#,
        ])
    }
}
