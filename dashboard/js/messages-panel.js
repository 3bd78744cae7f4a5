// messages-panel.js: private messages to any ID, and the ones that arrive.
// The gateway answers a message only when it fails (an `error` with the
// message's id), so an outgoing message shows "sent" until an error says
// otherwise.

import { clockTime, compactJson, ID_PATTERN, parseJsonField } from './format.js';

const LOG_MAX = 300;

export class MessagesPanel {
    constructor({ el, getSelected }) {
        this.el = el;
        this.client = null;
        this.getSelected = getSelected;
        this.outgoing = new Map();   // message id -> log item
        this.unread = 0;
        el.form.addEventListener('submit', (e) => {
            e.preventDefault();
            this.send();
        });
        el.to.addEventListener('input', () => this.validate());
        el.payload.addEventListener('input', () => this.validate());
        el.payload.addEventListener('keydown', (e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                this.send();
            }
        });
        el.useSelected.addEventListener('click', () => {
            const id = this.getSelected();
            if (id) el.to.value = id;
            this.validate();
            el.payload.focus();
        });
        el.log.addEventListener('focusin', () => this.markRead());
        el.log.addEventListener('mouseenter', () => this.markRead());
        this.validate();
    }

    setClient(client) {
        this.client = client;
        this.validate();
    }

    // Returns {to, payload} when the form can be sent, else null.
    validate() {
        const { to, payload, payloadCheck, send } = this.el;
        const toText = to.value.trim();
        const toOk = ID_PATTERN.test(toText);
        to.setAttribute('aria-invalid', toText && !toOk ? 'true' : 'false');
        const text = payload.value;
        const parsed = parseJsonField(text);
        let value;
        if (text.trim() === '') {
            payloadCheck.textContent = '';
        } else if (parsed.ok) {
            value = parsed.value;
            payloadCheck.textContent = 'Sent as JSON.';
        } else {
            value = text;
            payloadCheck.textContent = 'Not JSON: sent as a text string.';
        }
        payloadCheck.className = 'check-line muted';
        const ready = toOk && value !== undefined && this.client?.state === 'online';
        send.disabled = !ready;
        return ready ? { to: toText, payload: value } : null;
    }

    send() {
        const m = this.validate();
        if (!m) return;
        let id;
        try {
            id = this.client.message(m.to, m.payload);
        } catch (e) {
            this.el.payloadCheck.textContent = `Not sent: ${e.message}`;
            return;
        }
        const li = this.append('out', m.to, m.payload);
        this.outgoing.set(id, li);
        if (this.outgoing.size > LOG_MAX) this.outgoing.delete(this.outgoing.keys().next().value);
        this.el.payload.value = '';
        this.validate();
    }

    // A `message` frame from the gateway.
    receive(frame) {
        this.append('in', frame.from, frame.payload);
        if (!this.el.log.matches(':hover') && !this.el.log.contains(document.activeElement)) {
            this.unread += 1;
            this.el.unread.textContent = `${this.unread} new`;
        }
    }

    // An `error` frame for a message this panel sent.
    failed(frame) {
        const li = this.outgoing.get(frame.id);
        if (!li) return false;
        li.classList.add('msg-failed');
        li.dataset.state = 'failed';
        li.querySelector('.message-log-dir').textContent = `✗ ${frame.code}`;
        li.title = frame.message || frame.code;
        return true;
    }

    markRead() {
        this.unread = 0;
        this.el.unread.textContent = '';
    }

    append(direction, peer, payload) {
        const li = document.createElement('li');
        li.className = direction === 'in' ? 'msg-in' : 'msg-out';
        li.dataset.state = direction === 'in' ? 'received' : 'sent';
        li.dataset.peer = peer;
        const time = document.createElement('span');
        time.className = 'time';
        time.textContent = clockTime(Date.now());
        const dir = document.createElement('span');
        dir.className = 'message-log-dir';
        dir.textContent = direction === 'in' ? `from ${peer}` : `to ${peer}`;
        const data = document.createElement('span');
        data.className = 'data';
        data.textContent = typeof payload === 'string' ? payload : compactJson(payload, 2000);
        li.append(time, dir, data);
        this.el.log.prepend(li);
        while (this.el.log.children.length > LOG_MAX) this.el.log.lastChild.remove();
        return li;
    }
}
