// Unit tests of dashboard/js/switchboard-client.js: no sockets, no real time.
// A fake WebSocket records what the client sends and lets a test play the
// gateway; a manual clock drives timers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardClient, SwitchboardError, PROTOCOL } from '../../../dashboard/js/switchboard-client.js';

class manual_clock {
    constructor() {
        this.t = 0;
        this.timers = new Map();
        this.next = 1;
    }
    setTimeout = (fn, ms) => {
        const id = this.next++;
        this.timers.set(id, { at: this.t + ms, fn });
        return id;
    };
    clearTimeout = (id) => this.timers.delete(id);
    now = () => this.t;
    // Runs every timer due within `ms`, in order.
    advance(ms) {
        const end = this.t + ms;
        for (let guard = 0; guard < 10000; guard++) {
            let due = null;
            for (const [id, timer] of this.timers) {
                if (timer.at <= end && (!due || timer.at < due[1].at)) due = [id, timer];
            }
            if (!due) break;
            this.timers.delete(due[0]);
            this.t = due[1].at;
            due[1].fn();
        }
        this.t = end;
    }
}

function make_fake_socket_class() {
    const sockets = [];
    class fake_socket {
        constructor(url, protocols) {
            this.url = url;
            this.protocols = protocols;
            this.readyState = 0;
            this.sent = [];
            this.closed = false;
            sockets.push(this);
        }
        send(text) {
            this.sent.push(JSON.parse(text));
        }
        close() {
            this.closed = true;
            this.readyState = 3;
        }
        // The gateway's side.
        open() {
            this.readyState = 1;
            this.onopen?.({});
        }
        deliver(frame) {
            this.onmessage?.({ data: JSON.stringify(frame) });
        }
        drop(code = 1006) {
            this.readyState = 3;
            this.onclose?.({ code, reason: '' });
        }
        last() {
            return this.sent[this.sent.length - 1];
        }
    }
    return { fake_socket, sockets };
}

const limits = { command_timeout_default_ms: 30000, list_limit_max: 1000 };

// A client connected and registered as dash-1; returns the pieces.
async function connected(options = {}) {
    const clock = new manual_clock();
    const { fake_socket, sockets } = make_fake_socket_class();
    const client = new SwitchboardClient({
        url: 'ws://gw/ws', id: 'dash-1', WebSocket: fake_socket, random: () => 0.5,
        setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, now: clock.now,
        ...options,
    });
    const states = [];
    client.on('state', (s) => states.push(s.state));
    const done = client.connect();
    sockets[0].open();
    sockets[0].deliver({ type: 'registered', id: 'dash-1', role: 'controller', session: 's1', node: 'gw-1', limits });
    await done;
    return { client, clock, sockets, states };
}

test('client: registers with id, role, token and the subprotocol', async () => {
    const { client, sockets, states } = await connected({ token: 'secret', meta: { ui: 'dash' } });
    assert.deepEqual(sockets[0].protocols, [PROTOCOL]);
    assert.deepEqual(sockets[0].sent[0],
        { type: 'register', id: 'dash-1', role: 'controller', token: 'secret', meta: { ui: 'dash' } });
    assert.deepEqual(states, ['connecting', 'registering', 'online']);
    assert.equal(client.limits.list_limit_max, 1000);
});

test('client: a command resolves with the response and its round-trip time', async () => {
    const { client, clock, sockets } = await connected();
    const acks = [];
    const pending = client.command('pump-1', 'set_speed', { rpm: 5 }, { timeoutMs: 5000, onAck: (a) => acks.push(a) });
    const sent = sockets[0].last();
    assert.deepEqual(sent, { type: 'command', to: 'pump-1', name: 'set_speed', ack: true, args: { rpm: 5 }, timeout_ms: 5000, id: sent.id });
    clock.advance(3);
    sockets[0].deliver({ type: 'ack', id: sent.id, status: 'delivered' });
    clock.advance(7);
    // A response from another device with the same id is not this one's.
    sockets[0].deliver({ type: 'response', from: 'pump-2', id: sent.id, ok: true, result: 'wrong' });
    sockets[0].deliver({ type: 'response', from: 'pump-1', id: sent.id, ok: true, result: { rpm: 5 } });
    const outcome = await pending;
    assert.deepEqual(outcome.result, { rpm: 5 });
    assert.equal(outcome.rttMs, 10);
    assert.deepEqual(acks, [{ status: 'delivered', ackMs: 3 }]);
});

test('client: gateway errors and failed responses reject with their code', async () => {
    const { client, sockets } = await connected();
    const offline = client.command('pump-9', 'stop');
    const id1 = sockets[0].last().id;
    sockets[0].deliver({ type: 'error', code: 'offline', message: 'pump-9 is not connected', id: id1, request_type: 'command' });
    await assert.rejects(offline, (e) => e instanceof SwitchboardError && e.code === 'offline' && e.message === 'pump-9 is not connected');

    const timedOut = client.command('pump-1', 'slow', undefined, { timeoutMs: 100 });
    const id2 = sockets[0].last().id;
    assert.equal('args' in sockets[0].last(), false);
    sockets[0].deliver({ type: 'response', from: 'pump-1', id: id2, ok: false, error: { code: 'timeout', message: 'no answer' } });
    await assert.rejects(timedOut, { code: 'timeout' });
});

test('client: a command with no answer at all rejects locally after its timeout and grace', async () => {
    const { client, clock } = await connected({ commandGraceMs: 1000 });
    const pending = client.command('pump-1', 'x', {}, { timeoutMs: 2000 });
    clock.advance(2999);
    assert.equal(client.pending.size, 1);
    clock.advance(1);
    await assert.rejects(pending, { code: 'local_timeout' });
    assert.equal(client.pending.size, 0);
});

test('client: list pages through the fleet with after and more', async () => {
    const { client, sockets } = await connected();
    const pages = [];
    const all = client.listAll({ role: 'device', pageSize: 2, onPage: (p) => pages.push(p.length) });
    const answer = async (items, more) => {
        await new Promise((r) => setImmediate(r));
        const req = sockets[0].last();
        sockets[0].deliver({ type: 'list', id: req.id, items, more });
        return req;
    };
    const r1 = await answer([{ id: 'a' }, { id: 'b' }], true);
    assert.equal(r1.after, undefined);
    assert.equal(r1.limit, 2);
    assert.equal(r1.role, 'device');
    const r2 = await answer([{ id: 'c' }], false);
    assert.equal(r2.after, 'b');
    assert.deepEqual((await all).map((d) => d.id), ['a', 'b', 'c']);
    assert.deepEqual(pages, [2, 1]);
});

test('client: presence, event, message and unclaimed errors are emitted', async () => {
    const { client, sockets } = await connected();
    const seen = [];
    for (const t of ['presence', 'event', 'message', 'error']) client.on(t, (f) => seen.push(f.type));
    sockets[0].deliver({ type: 'presence', id: 'p', role: 'device', online: true, via: 'ws' });
    sockets[0].deliver({ type: 'event', from: 'p', name: 'telemetry', data: { t: 1 } });
    sockets[0].deliver({ type: 'message', from: 'ops', payload: 'hi' });
    const mid = client.message('ops', { text: 'hello' });
    assert.deepEqual(sockets[0].last(), { type: 'message', to: 'ops', payload: { text: 'hello' }, id: mid });
    sockets[0].deliver({ type: 'error', code: 'offline', id: mid, request_type: 'message' });
    sockets[0].deliver('not json at all');
    assert.deepEqual(seen, ['presence', 'event', 'message', 'error']);
});

test('client: reconnects with capped exponential backoff and re-subscribes', async () => {
    const { client, clock, sockets, states } = await connected({
        reconnect: { initialMs: 100, maxMs: 400, factor: 2, jitter: 0.5 },
    });
    const sub = client.subscribe(['*']);
    sockets[0].deliver({ type: 'subscribed', id: sockets[0].last().id, ids: ['*'] });
    await sub;
    const inflight = client.command('pump-1', 'x');
    const delays = [];
    client.on('state', (s) => s.state === 'reconnecting' && delays.push(s.delayMs));

    sockets[0].drop(1006);
    await assert.rejects(inflight, { code: 'disconnected' });
    assert.throws(() => client.message('x', 1), { code: 'not_connected' });
    // Three attempts fail before the socket opens: delays grow and are capped.
    for (let i = 1; i <= 3; i++) {
        clock.advance(delays[delays.length - 1]);
        assert.equal(sockets.length, i + 1);
        sockets[i].drop(1006);
    }
    // random() is 0.5 and jitter 0.5: 75% of 100, 200, 400, 400 (capped).
    assert.deepEqual(delays, [75, 150, 300, 300]);
    clock.advance(300);
    const socket = sockets[4];
    socket.open();
    socket.deliver({ type: 'registered', id: 'dash-1', role: 'controller', limits });
    assert.equal(client.state, 'online');
    assert.deepEqual(socket.sent[0].type, 'register');
    assert.deepEqual(socket.sent[1], { type: 'subscribe', ids: ['*'], id: socket.sent[1].id });
    assert.equal(states.at(-1), 'online');
    // The backoff starts over after a successful registration.
    socket.drop(1006);
    assert.equal(delays.at(-1), 75);
});

test('client: reconnectNow skips the remaining delay', async () => {
    const { client, clock, sockets } = await connected({ reconnect: { initialMs: 10000, jitter: 0 } });
    assert.equal(client.reconnectNow(), false);
    sockets[0].drop(1006);
    assert.equal(client.state, 'reconnecting');
    assert.equal(client.reconnectNow(), true);
    assert.equal(sockets.length, 2);
    clock.advance(20000);
    assert.equal(sockets.length, 2, 'the cancelled timer did not open a third socket');
});

test('client: a takeover (4003) or a refused registration does not reconnect', async () => {
    const { client, clock, sockets } = await connected();
    sockets[0].drop(4003);
    assert.equal(client.state, 'closed');
    clock.advance(60000);
    assert.equal(sockets.length, 1);

    const other = new manual_clock();
    const { fake_socket, sockets: s2 } = make_fake_socket_class();
    const c2 = new SwitchboardClient({ url: 'ws://gw/ws', id: 'dash-1', WebSocket: fake_socket,
        setTimeout: other.setTimeout, clearTimeout: other.clearTimeout, now: other.now });
    const done = c2.connect();
    s2[0].open();
    s2[0].deliver({ type: 'error', code: 'id_taken', message: 'dash-1 is taken', request_type: 'register' });
    await assert.rejects(done, { code: 'id_taken' });
    other.advance(60000);
    assert.equal(s2.length, 1);
});

test('client: a connection that never registers is retried after the connect timeout', async () => {
    const clock = new manual_clock();
    const { fake_socket, sockets } = make_fake_socket_class();
    const client = new SwitchboardClient({ url: 'ws://gw/ws', id: 'd', WebSocket: fake_socket,
        connectTimeoutMs: 1000, reconnect: { initialMs: 10, jitter: 0 },
        setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, now: clock.now });
    const done = client.connect();
    sockets[0].open();
    clock.advance(1000);
    assert.equal(sockets[0].closed, true);
    assert.equal(client.state, 'reconnecting');
    clock.advance(10);
    sockets[1].open();
    sockets[1].deliver({ type: 'registered', id: 'd', role: 'controller' });
    assert.equal((await done).id, 'd');
    client.close();
    assert.equal(client.state, 'closed');
    assert.equal(sockets[1].closed, true);
});

test('client: device side answers commands and publishes events', async () => {
    const { client, sockets } = await connected({ role: 'device', id: 'pump-1' });
    client.on('command', (c) => client.respond(c, { ok: true, result: { done: c.name } }));
    sockets[0].deliver({ type: 'command', from: 'dash-1', id: 'c-1', name: 'go' });
    assert.deepEqual(sockets[0].last(), { type: 'response', to: 'dash-1', id: 'c-1', ok: true, result: { done: 'go' } });
    client.event('telemetry', { rpm: 3 });
    assert.deepEqual(sockets[0].last(), { type: 'event', name: 'telemetry', data: { rpm: 3 } });
});

test('client: a command carries its traceparent and the response brings one back', async () => {
    const { client, sockets } = await connected();
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const back = '00-4bf92f3577b34da6a3ce929d0e0e4736-5a0f7c3e9b21d440-01';
    const pending = client.command('pump-1', 'go', undefined, { traceparent: tp });
    const sent = sockets[0].last();
    assert.equal(sent.traceparent, tp);
    sockets[0].deliver({ type: 'response', from: 'pump-1', id: sent.id, ok: true, traceparent: back });
    assert.equal((await pending).traceparent, back);
    // Without one, none is sent.
    client.command('pump-1', 'go');
    assert.equal('traceparent' in sockets[0].last(), false);
});

test('client: device side echoes a command\'s traceparent', async () => {
    const { client, sockets } = await connected({ role: 'device', id: 'pump-1' });
    client.on('command', (c) => client.respond(c, { ok: true }));
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    sockets[0].deliver({ type: 'command', from: 'dash-1', id: 'c-1', name: 'go', traceparent: tp });
    assert.equal(sockets[0].last().traceparent, tp);
});
