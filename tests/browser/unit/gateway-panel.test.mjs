// Unit tests of dashboard/js/prometheus-text.js and the Gateway panel's
// summary: what the panel shows from two scrapes of /metrics.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText, pick, rates } from '../../../dashboard/js/prometheus-text.js';
import { summarize } from '../../../dashboard/js/gateway-panel.js';

const scrape = (ok, errors) => `# HELP switchboard_ready 1 while /readyz answers 200
# TYPE switchboard_ready gauge
switchboard_ready 1
switchboard_open_connections 7
switchboard_clients{role="device",transport="ws"} 4
switchboard_clients{role="device",transport="mqtt"} 2
switchboard_clients{role="controller",transport="ws"} 1
switchboard_commands_total{outcome="ok"} ${ok}
switchboard_commands_total{outcome="error"} ${errors}
switchboard_refusals_total{reason="auth"} 3
switchboard_mqtt_bridge_state{state="connecting"} 0
switchboard_mqtt_bridge_state{state="connected"} 1
switchboard_command_round_trip_seconds_bucket{outcome="ok",le="+Inf"} ${ok}
switchboard_build_info{node="gw \\"1\\"",version="0.1.0"} 1
`;

test('prometheus text: samples with labels, escapes and +Inf', () => {
    const s = parsePrometheusText(scrape(10, 1));
    assert.equal(pick(s, 'switchboard_ready'), 1);
    assert.deepEqual(pick(s, 'switchboard_commands_total', 'outcome'), { ok: 10, error: 1 });
    const info = s.find((x) => x.name === 'switchboard_build_info');
    assert.equal(info.labels.node, 'gw "1"');
    assert.equal(parsePrometheusText('x{le="+Inf"} +Inf')[0].value, Infinity);
    assert.deepEqual(parsePrometheusText('not a sample line\n# comment\n'), []);
});

test('rates: per second between readings, a reset counts from zero', () => {
    assert.deepEqual(rates({ ok: 10 }, { ok: 30, error: 4 }, 2), { ok: 10, error: 2 });
    assert.deepEqual(rates({ ok: 50 }, { ok: 5 }, 1), { ok: 5 });
    assert.deepEqual(rates(null, { ok: 5 }, 1), {});
});

test('gateway summary: clients, command rates, bridge state, refusals', () => {
    const first = summarize(parsePrometheusText(scrape(10, 1)), null, 0);
    assert.equal(first.ready, true);
    assert.equal(first.open, 7);
    assert.deepEqual(first.clients, { 'device/ws': 4, 'device/mqtt': 2, 'controller/ws': 1 });
    assert.equal(first.bridge, 'connected');
    assert.equal(first.refusals.auth, 3);
    const second = summarize(parsePrometheusText(scrape(30, 1)), first, 2);
    assert.equal(second.commandRates.ok, 10);
    assert.equal(second.commandRates.error, 0);
    const noBridge = summarize(parsePrometheusText('switchboard_ready 0\n'), null, 0);
    assert.equal(noBridge.bridge, 'disabled');
    assert.equal(noBridge.ready, false);
});
