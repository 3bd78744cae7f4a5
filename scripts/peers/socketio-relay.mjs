// A peer baseline for scripts/bench.sh: Switchboard's targeted routing
// (routing.mjs) served by a Socket.IO 4 server, each frame one Socket.IO
// "message" (socket.send / socket.on('message')). switchboard-sim reaches it
// with a socketio:// URL, which wraps every frame as 42["message",{...}].
// Socket.IO's own transports, minus long-polling: the generator speaks
// WebSocket only, and polling would be a different benchmark.
//
// Usage: node socketio-relay.mjs [PORT]   (0 or none: an ephemeral port; binds 127.0.0.1)
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createRouter } from './routing.mjs';

const port = Number(process.argv[2] ?? 0);
const router = createRouter(
    (socket, frame) => socket.send(frame),
    (socket) => socket.disconnect(true),
);

const http = createServer();
const io = new Server(http, {
    transports: ['websocket'],
    serveClient: false,
    maxHttpBufferSize: 65536,  // the gateway's default max_message_bytes
});

io.on('connection', (socket) => {
    socket.on('message', (frame) => router.onFrame(socket, frame));
    socket.on('disconnect', () => router.onClose(socket));
});

http.listen(port, '127.0.0.1', () => {
    const { address, port: bound } = http.address();
    console.log(`listening on ${address}:${bound}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
        io.close(() => process.exit(0));
        setTimeout(() => process.exit(0), 1000).unref();
    });
}
