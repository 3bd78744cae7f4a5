// format.js: small display helpers shared by the views. No DOM.

const pad = (n, w = 2) => String(n).padStart(w, '0');

// 14:03:07, or 2026-11-25 14:03 when not today.
export function clockTime(ms, now = Date.now()) {
    if (ms === null || ms === undefined) return '—';
    const d = new Date(ms);
    const today = new Date(now);
    const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    if (d.toDateString() === today.toDateString()) return hms;
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms.slice(0, 5)}`;
}

// 3 s ago, 5 min ago, 2 h ago.
export function ago(ms, now = Date.now()) {
    if (ms === null || ms === undefined) return '—';
    const s = Math.max(0, Math.round((now - ms) / 1000));
    if (s < 2) return 'just now';
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.floor(s / 60)} min ago`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
    return `${Math.floor(s / 86400)} d ago`;
}

export function millis(ms) {
    if (ms === null || ms === undefined) return '';
    return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export function compactJson(value, max = 200) {
    if (value === undefined) return '';
    let text;
    try {
        text = JSON.stringify(value);
    } catch {
        text = String(value);
    }
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

// Parses the text of a JSON field. Empty is allowed (undefined).
export function parseJsonField(text) {
    const trimmed = text.trim();
    if (trimmed === '') return { ok: true, value: undefined, empty: true };
    try {
        return { ok: true, value: JSON.parse(trimmed) };
    } catch (e) {
        return { ok: false, error: e.message };
    }
}

export const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;
