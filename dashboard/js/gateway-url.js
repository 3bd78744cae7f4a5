// Which gateway the dashboard may connect to without asking. The page's own
// gateway (the one that served it) is trusted; any other URL, whether from
// a `?url=` link someone sent, a saved setting or typed by hand, would
// receive the operator's token and commands, so the operator confirms it
// first (app.js asks with confirm()).

// Whether `url` is a ws:// or wss:// URL.
export function isWebSocketUrl(url) {
    try {
        const u = new URL(url);
        return u.protocol === 'ws:' || u.protocol === 'wss:';
    } catch {
        return false;
    }
}

// Whether `url` points at the host (and port) that served the page at
// `pageLocation` (an object with `host`, like window.location).
export function isOwnGateway(url, pageLocation) {
    if (!isWebSocketUrl(url)) return false;
    return new URL(url).host === pageLocation.host;
}
