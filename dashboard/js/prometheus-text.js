// prometheus-text.js: reads the Prometheus text format the gateway serves at
// /metrics into samples, and works out per-second rates between two scrapes.
// Pure functions; no DOM.

// One sample per line `name{a="x",b="y"} value`; comments and blank lines
// are skipped, lines that do not parse are ignored.
export function parsePrometheusText(text) {
    const samples = [];
    for (const line of text.split('\n')) {
        if (!line || line.startsWith('#')) continue;
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
        if (!m) continue;
        const labels = {};
        if (m[2]) {
            for (const l of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
                labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
            }
        }
        const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
        samples.push({ name: m[1], labels, value });
    }
    return samples;
}

// The samples of `name`, as {labelValue: value} keyed by one label (or the
// single value when `label` is omitted).
export function pick(samples, name, label) {
    const out = {};
    for (const s of samples) {
        if (s.name !== name) continue;
        if (label === undefined) return s.value;
        out[s.labels[label]] = s.value;
    }
    return label === undefined ? undefined : out;
}

// Per-second rates of counters keyed alike, between two readings `dtSeconds`
// apart. A counter that went down (the gateway restarted) counts from zero.
export function rates(before, after, dtSeconds) {
    const out = {};
    if (!before || !(dtSeconds > 0)) return out;
    for (const [key, value] of Object.entries(after)) {
        const prev = before[key] ?? 0;
        const delta = value >= prev ? value - prev : value;
        out[key] = delta / dtSeconds;
    }
    return out;
}
