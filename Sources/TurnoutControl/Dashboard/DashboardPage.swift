import TurnoutAdmin

/// The dashboard (`GET /` on every admin listener, and `turnout ctl dashboard`): one
/// self-contained page, inline CSS and JavaScript, no external asset, no build step. It polls
/// `/status`, `/stats/series`, `/history`, the rollout reports, a split's guard report while
/// `/status` says it has one and, while a route mirrors, `/mirror` once a second and calls the
/// same endpoints as `turnout ctl` for its buttons, so a relay only has to copy requests.
///
/// The page is edited as what it is, real files beside this one: `page.html` (the document),
/// `style.css`, and the script in five parts (`charts.js`: formatting, the admin API calls and
/// the charts; `mirror.js`: the Shadow panel; `fleet.js`: the Fleet panel, shown only in a fleet;
/// `guard.js`: a split's Guard block and its "Switch with guard…" control; `rendering.js`:
/// rendering and the poll loop).
/// SwiftPM compiles them into the binary (`embedInCode` in Package.swift), so Turnout still ships
/// as one static binary with no resource bundle beside it; this type puts them together once.
public enum DashboardPage {
    /// `text/html; charset=utf-8`, never cached (the page changes with the binary).
    public static let response = AdminResponse(status: 200, contentType: "text/html; charset=utf-8", body: Array(html.utf8))

    /// Where `page.html` takes the style sheet (inside its `<style>`) and the script (inside its
    /// `<script>`); each marker is a comment of its language, so the file is a valid page alone.
    static let styleMarker = "/* turnout:style.css */"
    static let scriptMarker = "// turnout:scripts"

    /// The whole page: `page.html` with the style and the script's parts in place.
    public static let html: String = {
        let script = [PackageResources.charts_js, PackageResources.mirror_js, PackageResources.fleet_js, PackageResources.guard_js,
                      PackageResources.rendering_js]
            .map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        let page = String(decoding: PackageResources.page_html, as: UTF8.self)
        precondition(page.contains(styleMarker) && page.contains(scriptMarker), "page.html: a marker is missing")
        return page.replacing(styleMarker, with: String(decoding: PackageResources.style_css, as: UTF8.self))
            .replacing(scriptMarker, with: script)
    }()
}
