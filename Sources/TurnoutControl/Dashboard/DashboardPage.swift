import TurnoutAdmin

/// The dashboard (`GET /` on every admin listener, and `turnout ctl dashboard`): one
/// self-contained page, inline CSS and JavaScript, no external asset, no build step. It polls
/// `/status`, `/stats/series`, `/history`, the rollout reports and, while a route mirrors,
/// `/mirror` once a second and calls the same endpoints as `turnout ctl` for its buttons, so a
/// relay only has to copy requests.
///
/// It is a string literal compiled into the binary rather than a SwiftPM resource on purpose:
/// Turnout ships as one static binary, and a resource bundle would have to live beside it.
public enum DashboardPage {
    /// `text/html; charset=utf-8`, never cached (the page changes with the binary).
    public static let response = AdminResponse(status: 200, contentType: "text/html; charset=utf-8", body: Array(html.utf8))


    /// The whole page: its parts in order, one per concern (the markup here; the style, the
    /// helpers and charts, the Shadow panel, and the rendering and polling in their own files).
    public static let html = [pageStart, style, markup, script, mirrorPanel, rendering, pageEnd].joined(separator: "\n")

    /// The document head up to the style.
    static let pageStart = ##"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Turnout</title>
<link rel="icon" href="data:,">
"""##

    /// The end of the head, the body's sections (filled by the script), and the script's opening tag.
    static let markup = ##"""
</head>
<body>
<header>
  <h1>Turnout</h1>
  <span class="meta" id="meta">connecting…</span>
  <span class="right"><span class="meta" id="conn"></span><button id="token-button" type="button">Token</button></span>
</header>
<p id="message" role="status"></p>
<main>
  <section class="wide" id="splits-section"><h2>Splits</h2><div id="splits"><p class="muted">Loading…</p></div></section>
  <section class="wide" id="overview-section"><h2>Pools: last 5 minutes, one point a second</h2><div class="charts" id="overview"></div></section>
  <section class="wide" id="pools-section"><h2>Servers</h2><div id="pools"></div></section>
  <section class="wide" id="mirror-section" hidden><h2>Shadow <span class="muted">(copies to the shadow pool since start; the client gets the primary's answer)</span></h2><div id="mirror"></div></section>
  <section class="wide" id="history-section"><h2>History <span class="muted">(newest first)</span></h2><div class="tablewrap" id="history"></div></section>
</main>
<footer>Polls this admin API once a second. Times are in your local time zone.</footer>
<script>
"""##

    /// The closing tags.
    static let pageEnd = ##"""
</script>
</body>
</html>
"""##
}
