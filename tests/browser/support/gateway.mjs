// Starts the real gateway binary on a free port, serving the dashboard.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// A fresh folder under the system's temporary one, removed when this test
// process exits (a gateway's config, a certificate pair).
function scratchDir(prefix) {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
}

// The binary: $SWITCHBOARD_BIN, else the first build that has one.
export function gatewayBinary() {
    if (process.env.SWITCHBOARD_BIN) return path.resolve(process.env.SWITCHBOARD_BIN);
    for (const preset of ['release', 'debug', 'asan', 'tsan', 'dash']) {
        const candidate = path.join(repoRoot, 'build', preset, 'broker', 'switchboard');
        if (existsSync(candidate)) return candidate;
    }
    throw new Error('no gateway binary: build one or set SWITCHBOARD_BIN');
}

// Resolves once the gateway prints "listening on HOST:PORT" (within
// timeoutMs); `stop()` ends it (SIGTERM, then SIGKILL after a deadline).
// With `tls` ({ certFile, keyFile }) it serves https:// and wss:// too.
export function startGateway({ port = 0, extraArgs = [], timeoutMs = 15000, tls = null } = {}) {
    const bin = gatewayBinary();
    // The simulated fleets all connect from 127.0.0.1: lift the per-address cap.
    const dir = scratchDir('sb-browser-');
    const config = path.join(dir, 'switchboard.json');
    const settings = { limits: { max_connections_per_address: 0 } };
    if (tls) {
        settings.tls = { enabled: true, cert_file: tls.certFile, key_file: tls.keyFile, allow_plain: true };
    }
    writeFileSync(config, JSON.stringify(settings));
    const args = ['--config', config, '--address', '127.0.0.1', '--port', String(port),
        '--dashboard-dir', path.join(repoRoot, 'dashboard'), '--log-level', 'warn', '--auth', 'disabled', ...extraArgs];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.length > 20000) stderr = stderr.slice(-20000);
    });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    return new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`gateway did not start within ${timeoutMs} ms: ${stderr}`));
        }, timeoutMs);
        exited.then(({ code }) => {
            clearTimeout(timer);
            reject(new Error(`gateway exited (${code}) before listening: ${stderr}`));
        });
        child.stdout.on('data', (d) => {
            out += d;
            const m = /listening on ([\d.]+):(\d+)/.exec(out);
            if (!m) return;
            clearTimeout(timer);
            const boundPort = Number(m[2]);
            resolve({
                port: boundPort,
                httpUrl: `http://127.0.0.1:${boundPort}/`,
                wsUrl: `ws://127.0.0.1:${boundPort}/ws`,
                httpsUrl: `https://127.0.0.1:${boundPort}/`,
                wssUrl: `wss://127.0.0.1:${boundPort}/ws`,
                stderr: () => stderr,
                async stop(deadlineMs = 5000) {
                    if (child.exitCode !== null || child.signalCode !== null) return exited;
                    child.kill('SIGTERM');
                    const t = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
                    const result = await exited;
                    clearTimeout(t);
                    return result;
                },
            });
        });
    });
}

// A fresh self-signed pair for 127.0.0.1 and localhost (scripts/make-dev-cert.sh).
export function makeDevCert() {
    const dir = scratchDir('sb-browser-cert-');
    const made = spawnSync(path.join(repoRoot, 'scripts', 'make-dev-cert.sh'), [dir], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`make-dev-cert.sh failed: ${made.stderr}`);
    return { certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem') };
}
