// Starts the real gateway binary on a free port, serving the dashboard.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

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
export function startGateway({ port = 0, extraArgs = [], timeoutMs = 15000 } = {}) {
    const bin = gatewayBinary();
    // The simulated fleets all connect from 127.0.0.1: lift the per-address cap.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-browser-'));
    const config = path.join(dir, 'switchboard.json');
    writeFileSync(config, JSON.stringify({ limits: { max_connections_per_address: 0 } }));
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
