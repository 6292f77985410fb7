import TurnoutAdmin

extension AdminAPI {
    /// `GET /stats/series[?since=MS]`: the last 300 seconds per pool and server, or only the
    /// seconds after `since` (milliseconds since 1970), so a polling page fetches one new row.
    func seriesResponse(_ request: AdminRequest) -> AdminResponse {
        var since: Double?
        for pair in request.query.split(separator: "&") {
            guard pair.hasPrefix("since=") else {
                return .error(400, "GET /stats/series: unknown parameter \"\(pair)\" (it takes since=MILLISECONDS)")
            }
            guard let value = Double(pair.dropFirst("since=".count)), value.isFinite else {
                return .error(400, "GET /stats/series: since must be milliseconds since 1970, got \"\(pair.dropFirst("since=".count))\"")
            }
            since = value
        }
        return .json(200, compactJSONText(monitor.seriesDocument(sinceMilliseconds: since)))
    }
}
