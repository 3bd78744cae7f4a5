// Unit tests of dashboard/js/device-store.js and the pure helpers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceStore } from '../../../dashboard/js/device-store.js';
import { parseJsonField, ago } from '../../../dashboard/js/format.js';

test('device store: keeps IDs sorted and filters by prefix', () => {
    const s = new DeviceStore();
    for (const id of ['pump-2', 'valve-1', 'pump-10', 'pump-1', 'fan']) s.setOnline({ id, via: 'ws', since: 1 });
    assert.deepEqual(s.ids, ['fan', 'pump-1', 'pump-10', 'pump-2', 'valve-1']);
    assert.deepEqual(s.view('pump-1'), ['pump-1', 'pump-10']);
    assert.deepEqual(s.view('zzz'), []);
    assert.equal(s.onlineCount, 5);
});

test('device store: offline devices stay listed and can be hidden', () => {
    const s = new DeviceStore();
    s.setOnline({ id: 'a', via: 'mqtt', meta: { model: 'X' } });
    s.setOnline({ id: 'b' });
    const v = s.version;
    s.setOffline('a', 42);
    s.setOffline('a', 43);   // twice: counted once
    assert.equal(s.onlineCount, 1);
    assert.ok(s.version > v);
    assert.deepEqual(s.view('', false), ['b']);
    assert.deepEqual(s.view('', true), ['a', 'b']);
    assert.equal(s.get('a').offlineAt, 42);
    // Back online: details refreshed, meta kept when presence omits it.
    s.setOnline({ id: 'a', via: 'mqtt', since: 99 });
    assert.equal(s.onlineCount, 2);
    assert.equal(s.get('a').since, 99);
    assert.deepEqual(s.get('a').meta, { model: 'X' });
});

test('device store: 5,000 devices insert and filter quickly', () => {
    const s = new DeviceStore();
    const ids = Array.from({ length: 5000 }, (_, i) => `dev-${String((i * 7919) % 5000).padStart(4, '0')}`);
    const t0 = performance.now();
    for (const id of ids) s.setOnline({ id });
    const view = s.view('dev-49');
    const ms = performance.now() - t0;
    assert.equal(s.size, 5000);
    assert.equal(view.length, 100);
    assert.ok(ms < 1000, `took ${ms} ms`);
});

test('device store: a presence older than the last one seen for its ID is ignored', () => {
    const s = new DeviceStore();
    assert.equal(s.applyPresence({ id: 'pump-1', online: true, via: 'ws', seq: 10 }), true);
    // Offline (seq 12) overtaken on the way by the online that preceded it (11).
    assert.equal(s.applyPresence({ id: 'pump-1', online: false, seq: 12 }, 1000), true);
    assert.equal(s.applyPresence({ id: 'pump-1', online: true, via: 'ws', seq: 11 }), false);
    assert.equal(s.get('pump-1').online, false);
    assert.equal(s.onlineCount, 0);
    assert.equal(s.applyPresence({ id: 'pump-1', online: true, via: 'mqtt', seq: 13 }), true);
    assert.equal(s.get('pump-1').online, true);
    assert.equal(s.get('pump-1').via, 'mqtt');
    // Frames without seq (an older gateway) are applied as they come.
    assert.equal(s.applyPresence({ id: 'pump-2', online: true }), true);
    assert.equal(s.applyPresence({ id: 'pump-2', online: false }), true);
    assert.equal(s.get('pump-2').online, false);
});

test('format: JSON fields and relative times', () => {
    assert.deepEqual(parseJsonField('  '), { ok: true, value: undefined, empty: true });
    assert.deepEqual(parseJsonField('{"a":1}'), { ok: true, value: { a: 1 } });
    assert.equal(parseJsonField('{a:1}').ok, false);
    assert.equal(ago(1000, 4000), '3 s ago');
    assert.equal(ago(0, 125000), '2 min ago');
});
