// gateway-panel.js: the Gateway panel. Polls the gateway's /metrics (same
// origin as the page) and shows readiness, clients by role and transport,
// commands per second by outcome, the MQTT bridge's state and refusals by
// reason. Stops polling while signed out.

import { parsePrometheusText, pick, rates } from './prometheus-text.js';

const OUTCOMES = ['ok', 'error', 'timeout', 'device_disconnected', 'dropped', 'refused_offline',
    'refused_forbidden', 'refused_overloaded', 'refused_duplicate'];
const REFUSALS = ['auth', 'origin', 'rate_limit', 'connection_cap', 'frame_size', 'draining'];

// What the panel shows, from one scrape and the one before it.
export function summarize(samples, previous, dtSeconds) {
    const clients = {};
    for (const s of samples) {
        if (s.name !== 'switchboard_clients') continue;
        clients[`${s.labels.role}/${s.labels.transport}`] = s.value;
    }
    const commands = pick(samples, 'switchboard_commands_total', 'outcome');
    const bridge = Object.entries(pick(samples, 'switchboard_mqtt_bridge_state', 'state'))
        .find(([, v]) => v === 1)?.[0] ?? 'disabled';
    return {
        ready: pick(samples, 'switchboard_ready') === 1,
        open: pick(samples, 'switchboard_open_connections') ?? 0,
        clients,
        commands,
        commandRates: rates(previous?.commands, commands, dtSeconds),
        refusals: pick(samples, 'switchboard_refusals_total', 'reason'),
        bridge,
    };
}

export class GatewayPanel {
    // el: {root, status, clients, commands, bridge, refusals}
    constructor({ el, url = '/metrics', intervalMs = 2000, fetchFn = (...a) => fetch(...a) }) {
        this.el = el;
        this.url = url;
        this.intervalMs = intervalMs;
        this.fetchFn = fetchFn;
        this.timer = null;
        this.previous = null;
        this.previousAt = 0;
    }

    start() {
        if (this.timer) return;
        const tick = async () => {
            await this.refresh();
            if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
        };
        this.timer = setTimeout(tick, 0);
    }

    stop() {
        clearTimeout(this.timer);
        this.timer = null;
        this.previous = null;
    }

    async refresh() {
        let res;
        try {
            res = await this.fetchFn(this.url, { cache: 'no-store' });
        } catch {
            return this.showStatus('unreachable', 'Metrics unreachable');
        }
        if (res.status === 401 || res.status === 403) {
            return this.showStatus('restricted',
                'Metrics restricted by the gateway (metrics.allow / metrics.bearer_token)');
        }
        if (!res.ok) return this.showStatus('unreachable', `Metrics: HTTP ${res.status}`);
        const now = performance.now();
        const summary = summarize(parsePrometheusText(await res.text()), this.previous,
            (now - this.previousAt) / 1000);
        this.previous = summary;
        this.previousAt = now;
        this.render(summary);
    }

    showStatus(state, text) {
        this.el.root.dataset.state = state;
        this.el.status.textContent = text;
    }

    render(s) {
        this.showStatus(s.ready ? 'ready' : 'not-ready', s.ready ? 'Ready' : 'Not ready');
        const clientRows = ['device/ws', 'device/mqtt', 'controller/ws', 'controller/mqtt']
            .map((k) => [k.replace('/', ' · '), s.clients[k] ?? 0]);
        clientRows.push(['open connections', s.open]);
        fill(this.el.clients, clientRows, 'clients');
        fill(this.el.commands, OUTCOMES
            .filter((o) => (s.commands[o] ?? 0) > 0 || o === 'ok')
            .map((o) => [o.replace('_', ' '), `${(s.commandRates[o] ?? 0).toFixed(1)}/s`,
                s.commands[o] ?? 0]), 'commands');
        this.el.bridge.textContent = s.bridge;
        this.el.bridge.dataset.state = s.bridge;
        fill(this.el.refusals, REFUSALS.map((r) => [r.replace('_', ' '), s.refusals[r] ?? 0]),
            'refusals');
    }
}

// Replaces a <tbody>'s rows with `rows` (arrays of cells); data-key on each
// row names its first cell, for tests.
function fill(tbody, rows, kind) {
    const doc = tbody.ownerDocument;
    const fresh = rows.map((cells) => {
        const tr = doc.createElement('tr');
        tr.dataset.key = `${kind}:${cells[0]}`;
        for (const c of cells) {
            const td = doc.createElement('td');
            td.textContent = String(c);
            tr.append(td);
        }
        return tr;
    });
    tbody.replaceChildren(...fresh);
}
