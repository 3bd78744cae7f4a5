// app.js: the dashboard page. Signs in as a controller, follows every ID
// (`subscribe ["*"]`), loads the fleet with `list` pages and keeps it current
// from `presence`; wires the views together.

import { SwitchboardClient } from './switchboard-client.js';
import { DeviceStore } from './device-store.js';
import { DeviceList } from './device-list.js';
import { CommandPanel } from './command-panel.js';
import { EventStream } from './event-stream.js';
import { MessagesPanel } from './messages-panel.js';
import { GatewayPanel } from './gateway-panel.js';
import { ID_PATTERN } from './format.js';
import { isOwnGateway, isWebSocketUrl } from './gateway-url.js';

const $ = (id) => document.getElementById(id);
const SETTINGS_KEY = 'switchboard.dashboard';

const store = new DeviceStore();
let client = null;
let selectedId = null;
let sync = null;   // {presence: Set of IDs seen during the current sync}

const deviceList = new DeviceList({
    root: $('device-list'),
    store,
    countEl: $('device-count'),
    emptyEl: $('device-empty'),
    onSelect: (id) => selectDevice(id),
});
const commands = new CommandPanel({
    client: null,
    el: {
        form: $('command-form'), name: $('command-name'), args: $('command-args'),
        timeout: $('command-timeout'), argsCheck: $('command-args-check'), send: $('command-send'),
        names: $('command-names'), result: $('command-result'), history: $('command-history'),
        clear: $('history-clear'), target: $('target'), status: $('target-status'),
    },
});
const events = new EventStream({
    el: {
        chart: $('events-chart'), list: $('events-list'), pause: $('events-pause'),
        clear: $('events-clear'), pausedNote: $('events-paused'), source: $('events-source'),
    },
});
const messages = new MessagesPanel({
    el: {
        form: $('message-form'), to: $('message-to'), payload: $('message-payload'),
        payloadCheck: $('message-payload-check'), send: $('message-send'), log: $('message-log'),
        useSelected: $('message-use-selected'), unread: $('messages-unread'),
    },
    getSelected: () => selectedId,
});

const gatewayPanel = new GatewayPanel({
    el: {
        root: $('gateway-panel'), status: $('gateway-status'), clients: $('gateway-clients'),
        commands: $('gateway-commands'), bridge: $('gateway-bridge'), refusals: $('gateway-refusals'),
    },
});

function selectDevice(id) {
    selectedId = id;
    commands.setTarget(store.get(id) || null);
    events.setDevice(id);
    if (!$('message-to').value) {
        $('message-to').value = id;
        messages.validate();
    }
}

// --- sign in -------------------------------------------------------------

function loadSettings() {
    try {
        return JSON.parse(localStorage.getItem(SETTINGS_KEY)) || {};
    } catch {
        return {};
    }
}

function defaultUrl() {
    return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

function initSignIn() {
    const saved = loadSettings();
    const params = new URLSearchParams(location.search);
    $('signin-id').value = params.get('id') || saved.id ||
        `dash-${Math.random().toString(16).slice(2, 6)}`;
    $('signin-url').value = params.get('url') || saved.url || defaultUrl();
    $('signin-form').addEventListener('submit', (e) => {
        e.preventDefault();
        signIn();
    });
    $('sign-out').addEventListener('click', signOut);
    $('conn-retry').addEventListener('click', () => client?.reconnectNow());
    $('signin-id').focus();
}

async function signIn() {
    // A second press while the first connection is still being attempted
    // cancels it (connect() then rejects with `closed`).
    if (client) {
        client.close();
        return;
    }
    const id = $('signin-id').value.trim();
    const url = $('signin-url').value.trim() || defaultUrl();
    const token = $('signin-token').value;
    const error = $('signin-error');
    if (!ID_PATTERN.test(id)) {
        error.textContent = 'The ID must be 1–128 characters: letters, digits and . _ : @ -';
        $('signin-id').setAttribute('aria-invalid', 'true');
        $('signin-id').focus();
        return;
    }
    $('signin-id').removeAttribute('aria-invalid');
    if (!isWebSocketUrl(url)) {
        error.textContent = 'The gateway address must be a ws:// or wss:// URL';
        return;
    }
    // Another host would get this operator's token and commands: a link
    // with ?url= must not send them there without the operator agreeing.
    if (!isOwnGateway(url, location) &&
        !confirm(`Connect to ${new URL(url).host}? It is not the gateway that served this page: ` +
                 'your token and commands will go there. Only continue if you trust it.')) {
        error.textContent = `Not connected: ${new URL(url).host} is not this page's gateway`;
        return;
    }
    error.textContent = '';
    try {
        localStorage.setItem(SETTINGS_KEY, JSON.stringify({ id, url }));
    } catch {
        // Private mode: nothing to remember.
    }
    $('signin-submit').textContent = 'Connecting… (press to cancel)';
    client = new SwitchboardClient({ url, id, role: 'controller', token: token || undefined });
    client.on('state', onState);
    client.on('registered', onRegistered);
    client.on('presence', onPresence);
    client.on('event', onEvent);
    client.on('message', (f) => messages.receive(f));
    client.on('error', (f) => {
        if (f.request_type === 'message' && messages.failed(f)) return;
        console.warn('switchboard error', f);
    });
    try {
        await client.connect();
        showWorkspace(true);
    } catch (e) {
        error.textContent = signInMessage(e);
        client = null;
        setConn('idle', 'Signed out');
    } finally {
        $('signin-submit').textContent = 'Connect';
    }
}

function signInMessage(e) {
    switch (e.code) {
        case 'id_taken': return `The ID is already in use: ${e.message}`;
        case 'unauthorized': return 'The gateway refused the token.';
        case 'closed': return 'Connection cancelled.';
        default: return `Could not sign in: ${e.message}`;
    }
}

function signOut() {
    const c = client;
    client = null;
    c?.close();
    store.byId.clear();
    store.ids = [];
    store.onlineCount = 0;
    store.version += 1;
    selectedId = null;
    commands.setClient(null);
    commands.setTarget(null);
    events.setDevice(null);
    messages.setClient(null);
    showWorkspace(false);
    setConn('idle', 'Signed out');
}

function showWorkspace(on) {
    $('signin-view').hidden = on;
    $('app-view').hidden = !on;
    $('who').hidden = !on;
    if (on) gatewayPanel.start();
    else gatewayPanel.stop();
    if (on) {
        $('who-id').textContent = client.id;
        $('who-node').textContent = client.registered?.node ? ` on ${client.registered.node}` : '';
        deviceList.schedule();
        $('device-list').focus();
    } else {
        $('signin-id').focus();
    }
}

// --- connection ------------------------------------------------------------

function setConn(state, text, retry = false) {
    $('conn').dataset.state = state;
    $('conn-text').textContent = text;
    $('conn-retry').hidden = !retry;
}

function onState(s) {
    if (client === null) return;
    const banner = $('stale-banner');
    switch (s.state) {
        case 'connecting': setConn(s.state, s.attempt ? `Connecting (attempt ${s.attempt + 1})…` : 'Connecting…'); break;
        case 'registering': setConn(s.state, 'Signing in…'); break;
        case 'online': setConn(s.state, 'Connected'); banner.hidden = true; break;
        case 'reconnecting':
            setConn(s.state, `Connection lost, retrying in ${(s.delayMs / 1000).toFixed(1)} s`, true);
            banner.textContent = 'Not connected to the gateway: the fleet below may be out of date. Reconnecting automatically…';
            banner.hidden = !$('signin-view').hidden;
            break;
        case 'closed':
            setConn(s.state, `Disconnected: ${s.reason || 'closed'}`);
            banner.textContent = `Disconnected: ${s.reason || 'closed'}. Sign out and sign in again to reconnect.`;
            banner.hidden = !$('signin-view').hidden;
            break;
        default: break;
    }
    commands.setClient(client);
    messages.setClient(client);
}

// After every (re)registration: follow everyone, then load the fleet. The
// client restores the subscription by itself after a reconnect, before this.
async function onRegistered() {
    const c = client;
    const mine = { presence: new Set() };
    sync = mine;
    try {
        if (!c.subscriptions.has('*')) await c.subscribe(['*']);
        const listed = new Set();
        await c.listAll({
            role: 'device',
            onPage: (items) => {
                for (const item of items) {
                    listed.add(item.id);
                    // A presence seen since the sync began is newer than the list.
                    if (!mine.presence.has(item.id)) store.setOnline(item);
                }
                deviceList.schedule();
            },
        });
        // Devices that left while we were away.
        for (const id of store.ids) {
            const d = store.get(id);
            if (d.online && !listed.has(id) && !mine.presence.has(id)) store.setOffline(id);
        }
        deviceList.schedule();
        if (selectedId) commands.setTarget(store.get(selectedId) || null);
    } catch (e) {
        // The connection dropped mid-sync: the next registration starts over.
        console.warn('fleet sync interrupted', e);
    } finally {
        if (sync === mine) sync = null;
    }
}

function onPresence(p) {
    if (p.role !== 'device') return;
    sync?.presence.add(p.id);
    if (!store.applyPresence(p)) return;
    deviceList.schedule();
    if (p.id === selectedId) commands.setTarget(store.get(p.id));
}

function onEvent(f) {
    if (store.noteEvent(f.from)) deviceList.schedule();
    if (f.from === selectedId) events.add(f);
}

// --- filter ----------------------------------------------------------------

$('device-filter').addEventListener('input', () => {
    deviceList.setFilter($('device-filter').value.trim(), $('show-offline').checked);
});
$('show-offline').addEventListener('change', () => {
    deviceList.setFilter($('device-filter').value.trim(), $('show-offline').checked);
});

initSignIn();
// For tests and the curious: the page's state, read-only by convention.
window.switchboardDashboard = { store, get client() { return client; } };
