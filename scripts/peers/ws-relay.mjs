// A peer baseline for scripts/bench.sh: Switchboard's targeted routing
// (routing.mjs) served the way one would with the npm `ws` package, so the
// same switchboard-sim fleet and load generator drive it over ws://.../ws.
//
// Usage: node ws-relay.mjs [PORT]   (0 or none: an ephemeral port; binds 127.0.0.1)
import { WebSocketServer } from 'ws';
import { createRouter } from './routing.mjs';

const port = Number(process.argv[2] ?? 0);
const router = createRouter(
    (socket, frame) => socket.send(JSON.stringify(frame)),
    (socket) => socket.close(4003, 'replaced'),
);

const server = new WebSocketServer({
    host: '127.0.0.1',
    port,
    path: '/ws',
    // The simulator offers switchboard.v1; select it as the gateway does.
    handleProtocols: (offered) => (offered.has('switchboard.v1') ? 'switchboard.v1' : false),
    maxPayload: 65536,  // the gateway's default max_message_bytes
});

server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
        let frame;
        try {
            frame = isBinary ? undefined : JSON.parse(data.toString());
        } catch {
            frame = undefined;
        }
        router.onFrame(socket, frame);
    });
    socket.on('close', () => router.onClose(socket));
    socket.on('error', () => {});
});

server.on('listening', () => {
    const { address, port: bound } = server.address();
    console.log(`listening on ${address}:${bound}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => process.exit(0));
        setTimeout(() => process.exit(0), 1000).unref();
    });
}
