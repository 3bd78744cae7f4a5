// The routing both peer relays share, so that they differ only in transport.
// It speaks what switchboard-sim's fleet and load modes use (docs/protocol.md):
// register -> registered, command and response routed to `to` with `from`
// stamped, and `error offline` for a target that is not connected. No auth,
// ACLs, pending-command table, timeouts, subscriptions or limits: those are
// what the gateway adds, so a relay built on this is a lower bound on the
// cost of routing, not an equal.

// send(client, frame) writes one frame object to a client; evict(client)
// closes a client whose id a newer registration took over.
export function createRouter(send, evict) {
    const online = new Map();  // registered id -> client
    const idOf = new WeakMap();  // client -> its registered id

    function error(client, code, message, frame) {
        const out = { type: 'error', code, message, request_type: frame.type };
        if (frame.id !== undefined) out.id = frame.id;
        send(client, out);
    }

    function onFrame(client, frame) {
        if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') {
            error(client, 'bad_request', 'expected one JSON object with a string type', {});
            return;
        }
        if (frame.type === 'register') {
            if (typeof frame.id !== 'string' || frame.id === '') {
                error(client, 'bad_request', "field 'id' must be a non-empty string", frame);
                return;
            }
            const previous = online.get(frame.id);
            online.set(frame.id, client);
            idOf.set(client, frame.id);
            if (previous !== undefined && previous !== client) evict(previous);
            send(client, { type: 'registered', id: frame.id, role: frame.role, session: '', node: 'peer', limits: {} });
            return;
        }
        const from = idOf.get(client);
        if (from === undefined) {
            error(client, 'not_registered', 'register first', frame);
            return;
        }
        if (frame.type !== 'command' && frame.type !== 'response') return;  // no followers here
        const target = online.get(frame.to);
        if (target === undefined) {
            error(client, 'offline', `${frame.to} is not connected`, frame);
            return;
        }
        // Stamped here, so nobody can speak for another id.
        frame.from = from;
        delete frame.to;
        send(target, frame);
    }

    function onClose(client) {
        const id = idOf.get(client);
        // After a takeover the map already holds the newcomer: leave it.
        if (id !== undefined && online.get(id) === client) online.delete(id);
    }

    return { onFrame, onClose, online };
}
