// trace-context.js: W3C Trace Context `traceparent` values for commands the
// operator sends (docs/protocol.md §4, "Tracing"): a fresh trace per
// command, so its trace-id finds the command's hops in the gateway's debug
// log and in whatever tracing the devices do.

const HEX = '0123456789abcdef';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function hex(bytes) {
    let out = '';
    for (const b of bytes) out += HEX[b >> 4] + HEX[b & 15];
    return out;
}

// `fill(bytes)` fills a Uint8Array with random bytes (crypto.getRandomValues
// by default). An all-zero ID is invalid, so one is drawn again.
function randomHex(length, fill) {
    const bytes = new Uint8Array(length);
    for (let attempt = 0; attempt < 8; attempt++) {
        fill(bytes);
        if (bytes.some((b) => b !== 0)) return hex(bytes);
    }
    bytes[length - 1] = 1;  // a source that only gives zeros still makes a valid ID
    return hex(bytes);
}

// A new version-00 traceparent: random trace-id and parent-id, sampled.
export function newTraceparent(fill = (bytes) => crypto.getRandomValues(bytes)) {
    return `00-${randomHex(16, fill)}-${randomHex(8, fill)}-01`;
}

// The trace-id of a version-00 traceparent, or null when it is not one.
export function traceIdOf(traceparent) {
    const m = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent) : null;
    if (!m || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return null;
    return m[1];
}
