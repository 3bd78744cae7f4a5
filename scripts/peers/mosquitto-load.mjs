// A peer baseline for scripts/bench.sh: W1 with mosquitto doing the routing
// on per-device topics, MQTT QoS 0, no gateway. 1,000 device clients each
// subscribe to peer/<id>/in and answer every command by publishing to
// peer/<from>/in; 10 controllers keep 32 commands each in flight to random
// devices, with 100-byte args echoed back.
//
// It is its own generator (mqtt.js on node), not switchboard-sim: the
// simulator speaks MQTT through Paho, which costs ~300 µs of CPU per round
// trip across 1,000 clients and tops out near 3,000 round trips/s here
// (docs/benchmarks.md). Read its row for mosquitto's CPU per round trip,
// not beside the gateway's round trips/s.
//
// Writes the fields of `switchboard-sim load --json` that bench.sh reports,
// with "gateway" meaning the broker process (--broker-pid).
//
// Usage: node mosquitto-load.mjs --url mqtt://127.0.0.1:PORT --broker-pid PID --json FILE
//        [--devices 1000] [--controllers 10] [--inflight 32] [--args-bytes 100]
//        [--duration 10] [--warmup 2]      (seconds)
import { readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import mqtt from 'mqtt';

const options = {
    url: 'mqtt://127.0.0.1:1883', brokerPid: 0, json: '', devices: 1000, controllers: 10,
    inflight: 32, argsBytes: 100, duration: 10, warmup: 2,
};
for (let i = 2; i < process.argv.length; i += 2) {
    const key = process.argv[i].replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase());
    if (!(key in options) || process.argv[i + 1] === undefined) {
        console.error(`mosquitto-load: unknown or incomplete option ${process.argv[i]}`);
        process.exit(2);
    }
    options[key] = typeof options[key] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}

const ticksPerSecond = Number(execSync('getconf CLK_TCK').toString().trim());
function brokerTicks() {
    // Fields 14 and 15 of /proc/PID/stat (utime, stime); the name may hold spaces.
    const stat = readFileSync(`/proc/${options.brokerPid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]), system: Number(fields[12]) };
}
function brokerRssKib() {
    const match = readFileSync(`/proc/${options.brokerPid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
    return match ? Number(match[1]) : 0;
}

function connect(clientId, inbox) {
    return new Promise((resolve, reject) => {
        const client = mqtt.connect(options.url, {
            clientId, clean: true, keepalive: 60, reconnectPeriod: 0, protocolVersion: 4,
        });
        client.once('error', reject);
        client.once('connect', () => {
            client.subscribe(inbox, { qos: 0 }, (error) => (error ? reject(error) : resolve(client)));
        });
    });
}

const clients = [];
const stopAll = () => { for (const c of clients) c.end(true); };
const deadline = setTimeout(() => {
    console.error('mosquitto-load: gave up after 120 s');
    stopAll();
    process.exit(1);
}, 120_000);

// Devices, a hundred connecting at a time.
for (let first = 0; first < options.devices; first += 100) {
    const batch = [];
    for (let i = first; i < Math.min(first + 100, options.devices); ++i) {
        const id = `dev-${i}`;
        batch.push(connect(id, `peer/${id}/in`).then((client) => {
            client.on('message', (_topic, payload) => {
                const command = JSON.parse(payload.toString());
                client.publish(`peer/${command.from}/in`, JSON.stringify({
                    type: 'response', from: id, id: command.id, ok: true, result: command.args,
                }), { qos: 0 });
            });
            clients.push(client);
        }));
    }
    await Promise.all(batch);
}

// Controllers, closed loop.
const args = { pad: 'x'.repeat(Math.max(0, options.argsBytes - 10)) };
let measuring = false;
let stopping = false;
let answered = 0;
let sent = 0;
const latenciesUs = [];
const pending = new Map();  // command id -> send time (ns), for commands sent while measuring
let sequence = 0;

function sendNext(client, controllerId) {
    if (stopping) return;
    const id = `${controllerId}-${sequence++}`;
    const device = Math.floor(Math.random() * options.devices);
    pending.set(id, { at: process.hrtime.bigint(), counted: measuring });
    if (measuring) ++sent;
    client.publish(`peer/dev-${device}/in`, JSON.stringify({
        type: 'command', from: controllerId, id, name: 'echo', args,
    }), { qos: 0 });
}

const controllers = [];
for (let k = 0; k < options.controllers; ++k) {
    const controllerId = `ctl-${k}`;
    const client = await connect(controllerId, `peer/${controllerId}/in`);
    client.on('message', (_topic, payload) => {
        const response = JSON.parse(payload.toString());
        const started = pending.get(response.id);
        if (started === undefined) return;
        pending.delete(response.id);
        if (started.counted && measuring) {
            ++answered;
            latenciesUs.push(Number(process.hrtime.bigint() - started.at) / 1000);
        }
        sendNext(client, controllerId);
    });
    clients.push(client);
    controllers.push([client, controllerId]);
}
for (const [client, controllerId] of controllers) {
    for (let i = 0; i < options.inflight; ++i) sendNext(client, controllerId);
}

await new Promise((resolve) => setTimeout(resolve, options.warmup * 1000));
const t0 = brokerTicks();
const start = process.hrtime.bigint();
measuring = true;
await new Promise((resolve) => setTimeout(resolve, options.duration * 1000));
measuring = false;
const t1 = brokerTicks();
const windowS = Number(process.hrtime.bigint() - start) / 1e9;
const rssKib = brokerRssKib();
stopping = true;

// Answers to commands sent in the window may still be on their way.
for (let waited = 0; waited < 2000; waited += 50) {
    if (![...pending.values()].some((p) => p.counted)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
}
const lost = [...pending.values()].filter((p) => p.counted).length;

latenciesUs.sort((a, b) => a - b);
const percentile = (q) => (latenciesUs.length ? latenciesUs[Math.min(latenciesUs.length - 1, Math.floor(q * latenciesUs.length))] : 0);
const userS = (t1.user - t0.user) / ticksPerSecond;
const systemS = (t1.system - t0.system) / ticksPerSecond;
const roundTrips = answered;
const report = {
    round_trips_per_s: roundTrips / windowS,
    window_s: windowS,
    sent,
    answered,
    lost,
    errors_total: 0,
    timeouts: 0,
    latency_us: { p50: percentile(0.5), p99: percentile(0.99), p999: percentile(0.999) },
    gateway: {
        pid: options.brokerPid,
        user_s: userS,
        system_s: systemS,
        cpu_us_per_round_trip: roundTrips > 0 ? ((userS + systemS) * 1e6) / roundTrips : 0,
        rss_kib: rssKib,
    },
};
writeFileSync(options.json, JSON.stringify(report, null, 2));
console.log(`mosquitto peer: ${report.round_trips_per_s.toFixed(0)} RT/s, broker ${report.gateway.cpu_us_per_round_trip.toFixed(2)} µs/RT, p99 ${report.latency_us.p99.toFixed(0)} µs, lost ${lost}`);
clearTimeout(deadline);
stopAll();
process.exit(0);
