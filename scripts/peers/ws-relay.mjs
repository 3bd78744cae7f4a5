// A peer baseline for scripts/bench.sh: the targeted routing of Switchboard
// written the way one would with the npm `ws` package in an afternoon, so the
// same switchboard-sim fleet and load generator can drive it.
//
// It speaks only what the simulator's fleet and load modes use (docs/protocol.md):
// register -> registered, command and response routed to `to` with `from`
// stamped, and `error offline` for a target that is not connected. No auth,
// ACLs, pending-command table, timeouts, subscriptions or limits: those are
// what the gateway adds, and leaving them out makes this a lower bound on a
// relay's cost, not an equal.
//
// Usage: node ws-relay.mjs [PORT]   (0 or none: an ephemeral port; binds 127.0.0.1)
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 0);
const online = new Map();  // registered id -> socket

const server = new WebSocketServer({
    host: '127.0.0.1',
    port,
    path: '/ws',
    // The simulator offers switchboard.v1; echo it as the gateway does.
    handleProtocols: (offered) => (offered.has('switchboard.v1') ? 'switchboard.v1' : false),
    maxPayload: 65536,  // the gateway's default max_message_bytes
});

function sendError(socket, code, message, frame) {
    const error = { type: 'error', code, message, request_type: frame.type };
    if (frame.id !== undefined) error.id = frame.id;
    socket.send(JSON.stringify(error));
}

// Forwards a command or response to `to`, with `from` set by the relay so
// nobody can speak for another id.
function route(socket, frame) {
    const target = online.get(frame.to);
    if (target === undefined) {
        sendError(socket, 'offline', `${frame.to} is not connected`, frame);
        return;
    }
    frame.from = socket.clientId;
    delete frame.to;
    target.send(JSON.stringify(frame));
}

server.on('connection', (socket) => {
    socket.clientId = undefined;
    socket.on('message', (data, isBinary) => {
        let frame;
        try {
            frame = JSON.parse(isBinary ? '' : data.toString());
        } catch {
            frame = undefined;
        }
        if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') {
            sendError(socket, 'bad_request', 'expected one JSON object with a string type', {});
            return;
        }
        if (frame.type === 'register') {
            if (typeof frame.id !== 'string' || frame.id === '') {
                sendError(socket, 'bad_request', "field 'id' must be a non-empty string", frame);
                return;
            }
            const previous = online.get(frame.id);
            if (previous !== undefined && previous !== socket) previous.close(4003, 'replaced');
            socket.clientId = frame.id;
            online.set(frame.id, socket);
            socket.send(JSON.stringify({ type: 'registered', id: frame.id, role: frame.role, session: '', node: 'ws-relay', limits: {} }));
            return;
        }
        if (socket.clientId === undefined) {
            sendError(socket, 'not_registered', 'register first', frame);
            return;
        }
        if (frame.type === 'command' || frame.type === 'response') {
            route(socket, frame);
        }
        // Events and the rest have no followers here: dropped.
    });
    socket.on('close', () => {
        // A takeover already put the newcomer in the map: leave it there.
        if (socket.clientId !== undefined && online.get(socket.clientId) === socket) online.delete(socket.clientId);
    });
    socket.on('error', () => {});
});

server.on('listening', () => {
    const { address, port: bound } = server.address();
    console.log(`listening on ${address}:${bound}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
        for (const socket of online.values()) socket.terminate();
        server.close(() => process.exit(0));
        setTimeout(() => process.exit(0), 1000).unref();
    });
}
