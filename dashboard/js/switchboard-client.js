// switchboard-client.js: a small client for the Switchboard wire protocol v1
// (docs/protocol.md), for browsers and node. No DOM: the WebSocket class is
// injected (globalThis.WebSocket by default), so node tests can pass a fake.
//
// One SwitchboardClient is one registration (an ID and a role) kept alive over
// successive connections: it registers, correlates requests with their replies
// by `id` (promises), emits the frames nobody asked for (presence, event,
// message, command), reconnects with capped exponential backoff and jitter,
// and re-subscribes after each reconnect. Everything runs on the caller's
// event loop; nothing here blocks.

export const PROTOCOL = 'switchboard.v1';

// A request that failed: a gateway `error` frame, a failed `response`
// (`timeout` from the gateway, or the device's own error code), or a local
// condition (`not_connected`, `disconnected`, `local_timeout`, `closed`).
export class SwitchboardError extends Error {
    constructor(code, message, details = {}) {
        super(message || code);
        this.name = 'SwitchboardError';
        this.code = code;
        Object.assign(this, details);
    }
}

// Close codes after which reconnecting would do harm or cannot help.
const FINAL_CLOSE_CODES = new Map([
    [4001, ['unauthorized', 'the gateway refused the credentials (4001)']],
    [4003, ['replaced', 'another session signed in with this ID (4003)']],
]);
// Registration errors that another attempt with the same settings cannot fix.
const FINAL_REGISTER_ERRORS = new Set(['id_taken', 'unauthorized', 'bad_request', 'forbidden']);

const OPEN = 1;

export class SwitchboardClient {
    // options:
    //   url           ws:// or wss:// URL of the gateway's /ws (required)
    //   id, role      the identity to register ('controller' by default)
    //   token, meta   sent in `register` when given
    //   WebSocket     constructor; globalThis.WebSocket by default
    //   reconnect     {initialMs: 500, maxMs: 15000, factor: 2, jitter: 0.5} or false
    //   connectTimeoutMs   give up on one attempt (open + registered) after this, 10000
    //   requestTimeoutMs   list/subscribe without reply reject after this, 15000
    //   commandGraceMs     a command rejects locally this long after its timeout_ms, 2000
    //   now, random, setTimeout, clearTimeout   injectable for tests
    constructor(options) {
        if (!options || !options.url) throw new TypeError('SwitchboardClient: url is required');
        if (!options.id) throw new TypeError('SwitchboardClient: id is required');
        this.url = options.url;
        this.id = options.id;
        this.role = options.role || 'controller';
        this.token = options.token;
        this.meta = options.meta;
        this.WebSocket = options.WebSocket || globalThis.WebSocket;
        if (typeof this.WebSocket !== 'function') {
            throw new TypeError('SwitchboardClient: no WebSocket class (pass options.WebSocket)');
        }
        this.backoff = options.reconnect === false ? null : {
            initialMs: 500, maxMs: 15000, factor: 2, jitter: 0.5, ...(options.reconnect || {}),
        };
        this.connectTimeoutMs = options.connectTimeoutMs ?? 10000;
        this.requestTimeoutMs = options.requestTimeoutMs ?? 15000;
        this.commandGraceMs = options.commandGraceMs ?? 2000;
        this.now = options.now || (() => (globalThis.performance ? performance.now() : Date.now()));
        this.random = options.random || Math.random;
        this.setTimeout = options.setTimeout || ((fn, ms) => globalThis.setTimeout(fn, ms));
        this.clearTimeout = options.clearTimeout || ((t) => globalThis.clearTimeout(t));

        this.state = 'idle';
        this.registered = null;      // the last `registered` frame
        this.limits = null;
        this.attempt = 0;            // failed attempts since the last registration
        this.subscriptions = new Set();
        this.listeners = new Map();
        this.pending = new Map();    // request id -> {kind, resolve, reject, timer, ...}
        this.nextRequest = 1;
        this.socket = null;
        this.retryTimer = null;
        this.attemptTimer = null;
        this.firstConnect = null;    // {resolve, reject} of connect()'s promise
    }

    // --- events -----------------------------------------------------------

    // Types: 'state' {state, attempt, delayMs?, reason?}, 'registered' (frame),
    // 'presence', 'event', 'message', 'command' (frames), 'error' (an error
    // frame no request is waiting for, e.g. for a `message`), 'frame' (every
    // frame received). Returns a function that removes the listener.
    on(type, fn) {
        if (!this.listeners.has(type)) this.listeners.set(type, new Set());
        this.listeners.get(type).add(fn);
        return () => this.off(type, fn);
    }

    off(type, fn) {
        this.listeners.get(type)?.delete(fn);
    }

    emit(type, value) {
        for (const fn of [...(this.listeners.get(type) || [])]) {
            try {
                fn(value);
            } catch (e) {
                // A listener's bug must not break the protocol loop.
                globalThis.console?.error?.('switchboard-client listener failed', e);
            }
        }
    }

    setState(state, extra = {}) {
        this.state = state;
        this.emit('state', { state, attempt: this.attempt, ...extra });
    }

    // --- connection -------------------------------------------------------

    // Connects and registers. Resolves with the first `registered` frame;
    // rejects when the registration is refused for good (id_taken,
    // unauthorized...) or close() is called first. Transient failures are
    // retried with backoff meanwhile (watch 'state').
    connect() {
        if (this.state !== 'idle' && this.state !== 'closed') {
            return Promise.reject(new SwitchboardError('busy', 'already connecting or connected'));
        }
        this.attempt = 0;
        const promise = new Promise((resolve, reject) => {
            this.firstConnect = { resolve, reject };
        });
        this.open();
        return promise;
    }

    // While waiting to reconnect: try now instead of at the end of the delay.
    reconnectNow() {
        if (this.state !== 'reconnecting') return false;
        this.clearTimeout(this.retryTimer);
        this.retryTimer = null;
        this.open();
        return true;
    }

    // Closes for good: no reconnect; pending requests reject with `closed`.
    close() {
        this.stop('closed', 'closed by this client');
    }

    stop(code, reason) {
        this.clearTimeout(this.retryTimer);
        this.retryTimer = null;
        this.dropSocket();
        this.failPending(code, reason);
        if (this.firstConnect) {
            this.firstConnect.reject(new SwitchboardError(code, reason));
            this.firstConnect = null;
        }
        this.setState('closed', { reason });
    }

    open() {
        this.setState('connecting');
        let socket;
        try {
            socket = new this.WebSocket(this.url, [PROTOCOL]);
        } catch (e) {
            return this.lost(`cannot open ${this.url}: ${e.message}`);
        }
        this.socket = socket;
        this.attemptTimer = this.setTimeout(() => {
            if (this.socket === socket) this.lost('no registration within the connect timeout');
        }, this.connectTimeoutMs);
        socket.onopen = () => {
            if (this.socket !== socket) return;
            this.setState('registering');
            const frame = { type: 'register', id: this.id, role: this.role };
            if (this.token) frame.token = this.token;
            if (this.meta) frame.meta = this.meta;
            this.sendRaw(frame);
        };
        socket.onmessage = (e) => {
            if (this.socket === socket) this.receive(e.data);
        };
        socket.onclose = (e) => {
            if (this.socket !== socket) return;
            const final = FINAL_CLOSE_CODES.get(e.code);
            if (final) return this.stop(final[0], final[1]);
            this.lost(`connection closed (${e.code || 'no code'}${e.reason ? ' ' + e.reason : ''})`);
        };
        socket.onerror = () => {
            // A close event follows; nothing to do here.
        };
    }

    dropSocket() {
        this.clearTimeout(this.attemptTimer);
        this.attemptTimer = null;
        const socket = this.socket;
        this.socket = null;
        if (socket) {
            socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
            try {
                socket.close();
            } catch {
                // Already closed.
            }
        }
    }

    // The connection is gone (or never came): fail what waits on it and
    // schedule the next attempt.
    lost(reason) {
        this.dropSocket();
        this.failPending('disconnected', reason);
        if (!this.backoff) return this.stop('disconnected', reason);
        const delayMs = this.backoffDelay(this.attempt);
        this.attempt += 1;
        this.setState('reconnecting', { delayMs, reason });
        this.retryTimer = this.setTimeout(() => {
            this.retryTimer = null;
            this.open();
        }, delayMs);
    }

    // Capped exponential backoff; `jitter` of it is random so that many
    // dashboards cut off together do not come back together.
    backoffDelay(attempt) {
        const { initialMs, maxMs, factor, jitter } = this.backoff;
        const base = Math.min(maxMs, initialMs * Math.pow(factor, attempt));
        return Math.round(base * (1 - jitter) + base * jitter * this.random());
    }

    sendRaw(frame) {
        if (!this.socket || this.socket.readyState !== OPEN) {
            throw new SwitchboardError('not_connected', 'not connected to the gateway');
        }
        this.socket.send(JSON.stringify(frame));
    }

    // Sends a frame only once registered.
    send(frame) {
        if (this.state !== 'online') {
            throw new SwitchboardError('not_connected', `cannot send while ${this.state}`);
        }
        this.sendRaw(frame);
    }

    // --- frames in --------------------------------------------------------

    receive(text) {
        let frame;
        try {
            frame = JSON.parse(text);
        } catch {
            return;
        }
        if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return;
        this.emit('frame', frame);
        switch (frame.type) {
            case 'registered': return this.onRegistered(frame);
            case 'error': return this.onError(frame);
            case 'ack': return this.onAck(frame);
            case 'response': return this.onResponse(frame);
            case 'list':
            case 'subscribed':
            case 'unsubscribed': return this.onReply(frame);
            case 'presence':
            case 'event':
            case 'message':
            case 'command': return this.emit(frame.type, frame);
            default: return;  // Unknown types are ignored, as the protocol asks.
        }
    }

    onRegistered(frame) {
        this.clearTimeout(this.attemptTimer);
        this.attemptTimer = null;
        this.registered = frame;
        this.limits = frame.limits || null;
        this.attempt = 0;
        this.setState('online');
        // Subscriptions are per connection: restore them before anyone else
        // sends, so a list sent after 'registered' sees the same followers.
        if (this.subscriptions.size > 0) {
            const ids = [...this.subscriptions];
            this.request('subscribe', { ids }).catch((e) => this.emit('error', {
                type: 'error', code: e.code, message: `re-subscribe failed: ${e.message}`,
            }));
        }
        this.emit('registered', frame);
        if (this.firstConnect) {
            this.firstConnect.resolve(frame);
            this.firstConnect = null;
        }
    }

    onError(frame) {
        if (this.state === 'registering' && (frame.request_type === 'register' || !frame.request_type)) {
            if (FINAL_REGISTER_ERRORS.has(frame.code)) {
                return this.stop(frame.code, frame.message || frame.code);
            }
            return this.lost(`registration failed: ${frame.code}`);
        }
        const entry = frame.id !== undefined ? this.pending.get(frame.id) : undefined;
        if (entry && (!frame.request_type || frame.request_type === entry.kind)) {
            return this.settle(frame.id, null, new SwitchboardError(frame.code, frame.message, {
                field: frame.field, frame,
            }));
        }
        this.emit('error', frame);
    }

    onAck(frame) {
        const entry = this.pending.get(frame.id);
        if (!entry || entry.kind !== 'command') return;
        entry.ackMs = this.now() - entry.sentAt;
        entry.onAck?.({ status: frame.status, ackMs: entry.ackMs });
    }

    onResponse(frame) {
        const entry = this.pending.get(frame.id);
        if (!entry || entry.kind !== 'command' || frame.from !== entry.to) return;
        const rttMs = this.now() - entry.sentAt;
        const traceparent = frame.traceparent;
        if (frame.ok) {
            return this.settle(frame.id, {
                result: frame.result, rttMs, ackMs: entry.ackMs, from: frame.from, traceparent,
            });
        }
        const error = frame.error || {};
        this.settle(frame.id, null, new SwitchboardError(error.code || 'failed', error.message, {
            rttMs, ackMs: entry.ackMs, from: frame.from, frame, traceparent,
        }));
    }

    onReply(frame) {
        const entry = this.pending.get(frame.id);
        if (!entry) return;
        this.settle(frame.id, frame);
    }

    settle(id, value, error) {
        const entry = this.pending.get(id);
        if (!entry) return;
        this.pending.delete(id);
        this.clearTimeout(entry.timer);
        if (error) {
            if (error.rttMs === undefined) error.rttMs = this.now() - entry.sentAt;
            entry.reject(error);
        } else {
            entry.resolve(value);
        }
    }

    failPending(code, reason) {
        for (const id of [...this.pending.keys()]) {
            this.settle(id, null, new SwitchboardError(code, reason));
        }
    }

    // --- requests ---------------------------------------------------------

    newId(prefix) {
        return `${prefix}-${this.nextRequest++}`;
    }

    // Sends `fields` as a frame of `type` with a fresh `id` and waits for the
    // reply that carries it.
    request(type, fields, { timeoutMs = this.requestTimeoutMs, kind = type, extra = {} } = {}) {
        return new Promise((resolve, reject) => {
            const id = fields.id || this.newId(type[0]);
            try {
                this.send({ type, ...fields, id });
            } catch (e) {
                return reject(e);
            }
            const entry = { kind, resolve, reject, sentAt: this.now(), ...extra };
            entry.timer = this.setTimeout(() => this.settle(id, null, new SwitchboardError(
                'local_timeout', `no reply to ${type} ${id} within ${timeoutMs} ms`)), timeoutMs);
            this.pending.set(id, entry);
        });
    }

    // Invokes `name` on device `to`. Resolves with {result, rttMs, ackMs,
    // traceparent}; rejects with a SwitchboardError whose `code` is the
    // gateway's (`offline`, `forbidden`, `timeout`, `overloaded`...) or the
    // device's. options: {timeoutMs, ack: true, onAck({status, ackMs}), id,
    // traceparent (W3C, sent as is; the response's comes back)}
    command(to, name, args, options = {}) {
        const fields = { to, name, ack: options.ack ?? true };
        if (args !== undefined) fields.args = args;
        if (options.traceparent) fields.traceparent = options.traceparent;
        if (options.timeoutMs !== undefined) fields.timeout_ms = options.timeoutMs;
        if (options.id) fields.id = options.id;
        const serverTimeout = options.timeoutMs ??
            this.limits?.command_timeout_default_ms ?? 30000;
        return this.request('command', fields, {
            timeoutMs: serverTimeout + this.commandGraceMs,
            extra: { to, onAck: options.onAck },
        });
    }

    // Sends a private message. Returns its id; the gateway answers only on
    // failure, with an 'error' event whose `id` is this one and
    // request_type 'message' (e.g. code `offline`).
    message(to, payload, { id } = {}) {
        const frameId = id || this.newId('m');
        this.send({ type: 'message', to, payload, id: frameId });
        return frameId;
    }

    // Follows presence and events of IDs or `prefix*` patterns; remembered
    // and restored after every reconnect.
    async subscribe(ids) {
        const reply = await this.request('subscribe', { ids });
        for (const p of ids) this.subscriptions.add(p);
        return reply;
    }

    async unsubscribe(ids) {
        for (const p of ids) this.subscriptions.delete(p);
        return this.request('unsubscribe', { ids }, { kind: 'unsubscribe' });
    }

    // One page of who is online: resolves with {items, more}.
    async list({ role, prefix, after, limit } = {}) {
        const fields = {};
        if (role) fields.role = role;
        if (prefix) fields.prefix = prefix;
        if (after) fields.after = after;
        if (limit) fields.limit = limit;
        const reply = await this.request('list', fields);
        return { items: reply.items || [], more: !!reply.more };
    }

    // Every page: follows `more` with `after`. onPage(items) sees each page
    // as it arrives; resolves with all items. Bounded by maxPages.
    async listAll({ role, prefix, pageSize, onPage, maxPages = 10000 } = {}) {
        const limit = pageSize || this.limits?.list_limit_max || 1000;
        const all = [];
        let after;
        for (let page = 0; page < maxPages; page++) {
            const { items, more } = await this.list({ role, prefix, after, limit });
            all.push(...items);
            onPage?.(items);
            if (!more || items.length === 0) break;
            after = items[items.length - 1].id;
        }
        return all;
    }

    // --- device side --------------------------------------------------------

    // Answers a command received through the 'command' event.
    respond(command, { ok = true, result, error } = {}) {
        const frame = { type: 'response', to: command.from, id: command.id, ok };
        // Echoed, so the controller's trace goes on through this device.
        if (command.traceparent) frame.traceparent = command.traceparent;
        if (result !== undefined) frame.result = result;
        if (error !== undefined) frame.error = error;
        this.send(frame);
    }

    // Publishes an event (telemetry) to followers of this ID.
    event(name, data) {
        const frame = { type: 'event', name };
        if (data !== undefined) frame.data = data;
        this.send(frame);
    }
}
