import TurnoutAdmin

extension AdminAPI {
    /// `GET /stats/series[?since=MS]`: the last 300 seconds per pool and server, or only the
    /// seconds after `since` (milliseconds since 1970), so a polling page fetches one new row.
    func seriesResponse(_ request: AdminRequest) -> AdminResponse {
        var since: Double?
        for pair in request.query.split(separator: "&") where pair.hasPrefix("since=") {
            since = Double(pair.dropFirst("since=".count))
        }
        return .json(200, compactJSONText(monitor.seriesDocument(sinceMilliseconds: since)))
    }
}
