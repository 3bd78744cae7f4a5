// A simulated fleet for the dashboard's tests and demos: N devices, each a
// SwitchboardClient (the dashboard's own client module) over the `ws`
// package, answering a few commands.
//
//   node tests/browser/support/fleet.mjs --url ws://127.0.0.1:8080/ws --count 50 --telemetry-ms 1000
//
// Commands: ping -> {pong: true}; set_speed {rpm} -> {rpm}; echo -> its args;
// fail -> ok:false {code: "device_error"}; sleep {ms} -> answers after ms;
// anything else -> ok:false {code: "unsupported"}.

import WebSocket from 'ws';
import { SwitchboardClient } from '../../../dashboard/js/switchboard-client.js';

const MODELS = ['P-100', 'P-200', 'V-10', 'T-5'];

export function deviceMeta(i) {
    return { model: MODELS[i % MODELS.length], firmware: `2.${i % 7}.${i % 3}` };
}

function answer(device, state, command) {
    const args = command.args || {};
    switch (command.name) {
        case 'ping': return device.respond(command, { result: { pong: true } });
        case 'set_speed':
            state.rpm = Number(args.rpm) || 0;
            return device.respond(command, { result: { rpm: state.rpm } });
        case 'echo': return device.respond(command, { result: command.args ?? null });
        case 'fail': return device.respond(command, { ok: false, error: { code: 'device_error', message: 'simulated failure' } });
        case 'sleep': {
            const ms = Math.min(Number(args.ms) || 0, 600000);
            const t = setTimeout(() => {
                state.timers.delete(t);
                try {
                    device.respond(command, { result: { slept: ms } });
                } catch {
                    // Disconnected meanwhile.
                }
            }, ms);
            state.timers.add(t);
            return undefined;
        }
        default:
            return device.respond(command, { ok: false, error: { code: 'unsupported', message: `no command ${command.name}` } });
    }
}

// Starts `count` devices named `${prefix}${000...}`; resolves once all are
// registered. Connects `concurrency` at a time, with `WebSocketImpl` (`ws`'s
// by default; a subclass can add options, e.g. the CA of a wss:// gateway).
export async function startFleet({ url, count, prefix = 'sim-', width = 3, concurrency = 100,
    telemetryMs = 0, reconnect = false, WebSocketImpl = WebSocket } = {}) {
    const devices = new Map();
    const states = new Map();
    const inbox = [];            // private messages received by any device
    const inboxWaiters = new Set();
    const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`);

    const startOne = async (id, i) => {
        const device = new SwitchboardClient({
            url, id, role: 'device', meta: deviceMeta(i), WebSocket: WebSocketImpl,
            reconnect: reconnect ? { initialMs: 200, maxMs: 2000 } : false,
        });
        const state = { rpm: 900 + i, temp: 40 + (i % 10), timers: new Set(), tick: 0 };
        device.on('command', (c) => {
            try {
                answer(device, state, c);
            } catch {
                // Disconnected: the gateway will time the command out.
            }
        });
        device.on('message', (m) => {
            inbox.push({ to: id, ...m });
            for (const w of [...inboxWaiters]) w();
        });
        devices.set(id, device);
        states.set(id, state);
        await device.connect();
    };
    for (let start = 0; start < ids.length; start += concurrency) {
        await Promise.all(ids.slice(start, start + concurrency).map((id, j) => startOne(id, start + j)));
    }

    let telemetry = null;
    if (telemetryMs > 0) {
        telemetry = setInterval(() => {
            for (const [id, device] of devices) {
                if (device.state !== 'online') continue;
                const s = states.get(id);
                s.tick += 1;
                s.temp += Math.sin(s.tick / 5) * 0.4;
                device.event('telemetry', { rpm: s.rpm + Math.round(Math.sin(s.tick / 3) * 40), temp: Number(s.temp.toFixed(2)) });
            }
        }, telemetryMs);
    }

    return {
        ids,
        devices,
        inbox,
        emit(id, name, data) {
            devices.get(id).event(name, data);
        },
        // Goes offline for good.
        disconnect(id) {
            const device = devices.get(id);
            for (const t of states.get(id).timers) clearTimeout(t);
            device.close();
        },
        // Waits until a device received a message matching `pred`.
        waitForMessage(pred, timeoutMs = 5000) {
            return new Promise((resolve, reject) => {
                const check = () => {
                    const found = inbox.find(pred);
                    if (!found) return false;
                    inboxWaiters.delete(check);
                    clearTimeout(timer);
                    resolve(found);
                    return true;
                };
                const timer = setTimeout(() => {
                    inboxWaiters.delete(check);
                    reject(new Error(`no matching message within ${timeoutMs} ms`));
                }, timeoutMs);
                if (!check()) inboxWaiters.add(check);
            });
        },
        stop() {
            if (telemetry) clearInterval(telemetry);
            for (const id of devices.keys()) {
                for (const t of states.get(id).timers) clearTimeout(t);
                devices.get(id).close();
            }
        },
    };
}

// Command line: run a fleet until Ctrl-C.
if (import.meta.url === `file://${process.argv[1]}`) {
    const opt = { url: 'ws://127.0.0.1:8080/ws', count: 20, prefix: 'sim-', telemetryMs: 1000 };
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i += 2) {
        const [key, value] = [argv[i], argv[i + 1]];
        if (key === '--url') opt.url = value;
        else if (key === '--count') opt.count = Number(value);
        else if (key === '--prefix') opt.prefix = value;
        else if (key === '--telemetry-ms') opt.telemetryMs = Number(value);
        else {
            console.error('usage: fleet.mjs [--url WS_URL] [--count N] [--prefix P] [--telemetry-ms MS]');
            process.exit(2);
        }
    }
    const fleet = await startFleet({ ...opt, width: Math.max(3, String(opt.count - 1).length), reconnect: true });
    console.log(`${fleet.ids.length} devices online at ${opt.url}; Ctrl-C stops them`);
    process.on('SIGINT', () => {
        fleet.stop();
        process.exit(0);
    });
}
