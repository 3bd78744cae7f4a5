// command-panel.js: sends a command to the selected device and shows its
// outcome (ack, response or error, with the round-trip time and its trace-id),
// and keeps this session's history of commands. Each command carries a fresh
// W3C traceparent, so the gateway's debug log can be searched by trace-id.

import { clockTime, compactJson, millis, parseJsonField } from './format.js';
import { newTraceparent, traceIdOf } from './trace-context.js';

const HISTORY_MAX = 200;

export class CommandPanel {
    constructor({ client, el }) {
        this.client = client;   // set when signed in
        this.el = el;
        this.target = null;     // the selected device record, or null
        this.history = [];
        this.names = new Set();

        el.form.addEventListener('submit', (e) => {
            e.preventDefault();
            this.send();
        });
        el.args.addEventListener('input', () => this.validate());
        el.name.addEventListener('input', () => this.validate());
        el.timeout.addEventListener('input', () => this.validate());
        el.args.addEventListener('keydown', (e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                this.send();
            }
        });
        el.clear.addEventListener('click', () => {
            this.history = [];
            el.history.replaceChildren();
        });
        this.validate();
    }

    setClient(client) {
        this.client = client;
        const max = client?.limits?.command_timeout_max_ms;
        if (max) this.el.timeout.max = String(max);
        this.validate();
    }

    // device: a DeviceStore record (or null). Called on selection and on
    // presence changes of the selected device.
    setTarget(device) {
        this.target = device;
        const { target, status } = this.el;
        if (!device) {
            target.className = 'target muted';
            target.textContent = 'Select a device in the list.';
            status.hidden = true;
        } else {
            target.className = 'target';
            const meta = device.meta || {};
            const parts = [];
            if (meta.model !== undefined) parts.push(`model ${meta.model}`);
            if (meta.firmware !== undefined) parts.push(`firmware ${meta.firmware}`);
            parts.push(`via ${device.via || '?'}`);
            const strong = document.createElement('strong');
            strong.textContent = device.id;
            const info = document.createElement('span');
            info.className = 'meta muted';
            info.textContent = parts.join(' · ');
            target.replaceChildren('To ', strong, info);
            status.hidden = false;
            status.textContent = device.online ? 'online' : 'offline';
            status.className = `badge ${device.online ? 'online' : 'offline'}`;
        }
        this.validate();
    }

    // Checks the form; returns the command to send, or null.
    validate() {
        const { name, args, timeout, argsCheck, send } = this.el;
        const parsed = parseJsonField(args.value);
        if (!parsed.ok) {
            argsCheck.textContent = `Not valid JSON: ${parsed.error}`;
            argsCheck.className = 'check-line bad';
            args.setAttribute('aria-invalid', 'true');
        } else {
            argsCheck.textContent = parsed.empty ? 'No arguments.' : 'Valid JSON.';
            argsCheck.className = `check-line ${parsed.empty ? '' : 'ok'}`;
            args.removeAttribute('aria-invalid');
        }
        const timeoutMs = Number(timeout.value);
        const timeoutOk = Number.isInteger(timeoutMs) && timeoutMs > 0;
        timeout.setAttribute('aria-invalid', timeoutOk ? 'false' : 'true');
        const nameText = name.value.trim();
        const ready = parsed.ok && timeoutOk && nameText.length > 0 && nameText.length <= 128 &&
            this.target !== null && this.client !== null && this.client.state === 'online';
        send.disabled = !ready;
        return ready ? { to: this.target.id, name: nameText, args: parsed.value, timeoutMs } : null;
    }

    async send() {
        const command = this.validate();
        if (!command) return;
        const traceparent = newTraceparent();
        const entry = {
            ...command, at: Date.now(), state: 'pending', ack: null, traceId: traceIdOf(traceparent),
        };
        this.remember(command.name);
        this.addHistory(entry);
        this.showResult(entry);
        try {
            const outcome = await this.client.command(command.to, command.name, command.args, {
                timeoutMs: command.timeoutMs,
                traceparent,
                onAck: (ack) => {
                    entry.ack = ack;
                    this.update(entry);
                },
            });
            Object.assign(entry, { state: 'ok', result: outcome.result, rttMs: outcome.rttMs });
        } catch (e) {
            Object.assign(entry, {
                state: 'error', code: e.code || 'error', message: e.message, rttMs: e.rttMs,
                result: e.frame?.error,
            });
        }
        this.update(entry);
    }

    remember(name) {
        if (this.names.has(name)) return;
        this.names.add(name);
        const option = document.createElement('option');
        option.value = name;
        this.el.names.appendChild(option);
    }

    update(entry) {
        this.renderHistoryItem(entry);
        if (this.current === entry) this.showResult(entry);
    }

    outcomeLabel(entry) {
        if (entry.state === 'ok') return { text: 'ok', cls: 'ok' };
        if (entry.state === 'error') return { text: entry.code, cls: 'bad' };
        return { text: entry.ack ? 'delivered' : 'sending', cls: 'pending' };
    }

    showResult(entry) {
        this.current = entry;
        const box = this.el.result;
        box.hidden = false;
        const outcome = this.outcomeLabel(entry);
        box.className = `result ${outcome.cls}`;
        box.dataset.state = entry.state;
        box.dataset.code = entry.code || '';
        const line = document.createElement('div');
        line.className = 'result-line';
        const title = document.createElement('strong');
        const detail = document.createElement('span');
        detail.className = 'muted';
        const facts = [`${entry.name} → ${entry.to}`];
        if (entry.state === 'pending') {
            title.textContent = entry.ack ? 'Delivered, waiting for the answer…' : 'Sending…';
        } else if (entry.state === 'ok') {
            title.textContent = 'OK';
        } else {
            title.textContent = `Error: ${entry.code}`;
        }
        if (entry.ack) facts.push(`ack ${millis(entry.ack.ackMs)}`);
        if (entry.rttMs !== undefined) facts.push(`round trip ${millis(entry.rttMs)}`);
        detail.textContent = facts.join(' · ');
        line.append(title, detail);
        const children = [line];
        if (entry.traceId) {
            const trace = document.createElement('div');
            trace.className = 'result-trace muted';
            trace.dataset.traceId = entry.traceId;
            trace.textContent = `trace ${entry.traceId}`;
            children.push(trace);
        }
        if (entry.state === 'error' && entry.message) {
            const msg = document.createElement('div');
            msg.className = 'result-message';
            msg.textContent = entry.message;
            children.push(msg);
        }
        if (entry.state === 'ok' && entry.result !== undefined) {
            const pre = document.createElement('pre');
            pre.textContent = JSON.stringify(entry.result, null, 2);
            children.push(pre);
        }
        box.replaceChildren(...children);
    }

    addHistory(entry) {
        this.history.unshift(entry);
        const li = document.createElement('li');
        entry.li = li;
        this.el.history.prepend(li);
        while (this.history.length > HISTORY_MAX) {
            this.history.pop().li.remove();
        }
        this.renderHistoryItem(entry);
    }

    renderHistoryItem(entry) {
        const outcome = this.outcomeLabel(entry);
        const details = document.createElement('details');
        const summary = document.createElement('summary');
        summary.className = 'line';
        const time = document.createElement('span');
        time.className = 'time';
        time.textContent = clockTime(entry.at);
        const what = document.createElement('span');
        what.className = 'what';
        what.textContent = `${entry.to} · ${entry.name}`;
        const badge = document.createElement('span');
        badge.className = `outcome ${outcome.cls}`;
        badge.textContent = outcome.text;
        const rtt = document.createElement('span');
        rtt.className = 'rtt';
        rtt.textContent = entry.rttMs !== undefined ? millis(entry.rttMs) : '';
        summary.append(time, what, badge, rtt);
        const pre = document.createElement('pre');
        const lines = [`args: ${entry.args === undefined ? '(none)' : compactJson(entry.args, 2000)}`,
            `timeout: ${entry.timeoutMs} ms`];
        if (entry.traceId) lines.push(`trace: ${entry.traceId}`);
        if (entry.rttMs !== undefined) lines.push(`round trip: ${millis(entry.rttMs)}`);
        if (entry.state === 'ok') lines.push(`result: ${compactJson(entry.result, 4000)}`);
        if (entry.state === 'error') lines.push(`error: ${entry.code}: ${entry.message}`);
        pre.textContent = lines.join('\n');
        details.append(summary, pre);
        const open = entry.li.querySelector('details')?.open;
        if (open) details.open = true;
        entry.li.dataset.state = entry.state;
        if (entry.traceId) entry.li.dataset.traceId = entry.traceId;
        entry.li.replaceChildren(details);
    }
}
