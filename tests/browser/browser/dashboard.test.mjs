// The dashboard in real headless Chromium against the real gateway and a
// simulated fleet. Tests run in order and share one page, like an operator's
// session. Screenshots go to build/browser-screenshots/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startGateway } from '../support/gateway.mjs';
import { startFleet } from '../support/fleet.mjs';
import { launchBrowser, signIn, waitForText } from '../support/browser.mjs';
import { SwitchboardClient } from '../../../dashboard/js/switchboard-client.js';

const FLEET = 12;
let gateway;
let fleet;
let browser;
let page;
const extras = [];

before(async () => {
    gateway = await startGateway();
    fleet = await startFleet({ url: gateway.wsUrl, count: FLEET });
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(gateway.httpUrl);
    await page.waitForSelector('#signin-form');
    await browser.screenshot('00-sign-in');
    await signIn(page, gateway.httpUrl, 'dash-test');
});

after(async () => {
    for (const c of extras) c.close();
    fleet?.stop();
    await browser?.close();
    await gateway?.stop();
});

async function select(id) {
    await page.click(`#device-list [data-id="${id}"]`);
    await waitForText(page, '#target', id);
}

async function sendCommand(name, args, timeoutMs = 5000) {
    await page.fill('#command-name', name);
    await page.fill('#command-args', args);
    await page.fill('#command-timeout', String(timeoutMs));
    await page.click('#command-send');
}

test('the gateway serves the dashboard with content types and cache headers', async () => {
    const index = await fetch(gateway.httpUrl);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const css = await fetch(`${gateway.httpUrl}app.css`);
    assert.match(css.headers.get('content-type'), /^text\/css/);
    assert.match(css.headers.get('cache-control'), /max-age=300/);
    const js = await fetch(`${gateway.httpUrl}js/switchboard-client.js`);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    // Nothing on the page comes from elsewhere: it works with no internet.
    const html = await index.text();
    assert.doesNotMatch(html, /https?:\/\//);
});

test('the device list shows the simulated fleet with transport and meta', async () => {
    await waitForText(page, '#device-count', `${FLEET} online`);
    const row = page.locator('#device-list [data-id="sim-001"]');
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /sim-001/);
    assert.match(text, /ws/);
    assert.match(text, /P-200/);     // fleet.mjs: model of device 1
    assert.match(text, /2\.1\.1/);   // and its firmware
    await browser.screenshot('01-fleet');
});

test('a command to one device shows its response and round-trip time', async () => {
    await select('sim-003');
    await sendCommand('set_speed', '{"rpm": 1200}');
    await page.waitForSelector('#command-result[data-state="ok"]');
    const result = await page.innerText('#command-result');
    assert.match(result, /"rpm": 1200/);
    assert.match(result, /round trip \d/);
    assert.match(result, /ack /);
    const first = page.locator('#command-history li').first();
    assert.equal(await first.getAttribute('data-state'), 'ok');
    assert.match(await first.innerText(), /sim-003 · set_speed/);
    // The command went with a fresh traceparent; its trace-id is shown.
    const traceId = await first.getAttribute('data-trace-id');
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.match(result, new RegExp(`trace ${traceId}`));
    await browser.screenshot('02-command-response');
});

test('arguments are checked as JSON before sending', async () => {
    await page.fill('#command-name', 'set_speed');
    await page.fill('#command-args', '{"rpm": ');
    await waitForText(page, '#command-args-check', 'Not valid JSON');
    assert.equal(await page.isDisabled('#command-send'), true);
    assert.equal(await page.getAttribute('#command-args', 'aria-invalid'), 'true');
    await page.fill('#command-args', '{"rpm": 5}');
    await waitForText(page, '#command-args-check', 'Valid JSON');
    assert.equal(await page.isDisabled('#command-send'), false);
});

test('a device error and a timeout are shown with their codes', async () => {
    await sendCommand('fail', '');
    await page.waitForSelector('#command-result[data-code="device_error"]');
    await sendCommand('sleep', '{"ms": 3000}', 300);
    await page.waitForSelector('#command-result[data-code="timeout"]');
    assert.match(await page.innerText('#command-result'), /did not answer within 300 ms/);
});

test('the gateway panel shows clients, commands by outcome and refusals from /metrics', async () => {
    await page.waitForSelector('#gateway-panel[data-state="ready"]');
    await waitForText(page, '#gateway-clients tr[data-key="clients:device · ws"]', String(FLEET));
    await waitForText(page, '#gateway-clients tr[data-key="clients:controller · ws"]', '1');
    // The commands of the tests before: one answered ok, one device error, one timeout.
    await page.waitForSelector('#gateway-commands tr[data-key="commands:timeout"]');
    const ok = await page.innerText('#gateway-commands tr[data-key="commands:ok"]');
    assert.match(ok, /\/s/);
    assert.equal(await page.innerText('#gateway-bridge'), 'disabled');
    await page.waitForSelector('#gateway-refusals tr[data-key="refusals:auth"]');
    await browser.screenshot('02b-gateway-panel');
});

test('the live event stream shows telemetry, charts it, and pauses', async () => {
    await select('sim-002');
    for (let i = 0; i < 6; i++) fleet.emit('sim-002', 'telemetry', { rpm: 1000 + i * 50, temp: 40 + i });
    fleet.emit('sim-004', 'telemetry', { rpm: 1 });  // another device: not in this stream
    await page.waitForFunction(() => document.querySelectorAll('#events-list li:not(.empty-note)').length === 6);
    await page.waitForFunction(() => document.querySelector('#events-chart').dataset.points === '12');
    assert.equal(await page.getAttribute('#events-chart', 'data-series'), 'rpm,temp');
    assert.match(await page.innerText('#events-list li >> nth=0'), /telemetry.*"rpm":1250/s);
    // The list's "last event" column follows every device's events.
    await page.waitForFunction(() => document.querySelector('#device-list [data-id="sim-004"] .c-event').textContent !== '—');
    await browser.screenshot('03-events');

    await page.click('#events-pause');
    fleet.emit('sim-002', 'telemetry', { rpm: 7 });
    await waitForText(page, '#events-paused', '1 new event held back');
    assert.equal(await page.locator('#events-list li').count(), 6);
    await page.click('#events-pause');
    await page.waitForFunction(() => document.querySelectorAll('#events-list li').length === 7);
    assert.equal(await page.isHidden('#events-paused'), true);
});

test('a device going offline greys out', async () => {
    fleet.disconnect('sim-005');
    await page.waitForSelector('#device-list [data-id="sim-005"].offline');
    await waitForText(page, '#device-count', `${FLEET - 1} online · 1 offline`);
    assert.match(await page.innerText('#device-list [data-id="sim-005"]'), /offline/);
    await browser.screenshot('04-device-offline');
});

test('a command to an offline device shows the offline error', async () => {
    await select('sim-005');
    assert.equal(await page.innerText('#target-status'), 'offline');
    await sendCommand('ping', '');
    await page.waitForSelector('#command-result[data-code="offline"]');
    assert.match(await page.innerText('#command-result'), /Error: offline/);
    assert.equal(await page.locator('#command-history li').first().getAttribute('data-state'), 'error');
    await browser.screenshot('05-command-offline');
});

test('private messages arrive, are sent, and report an offline recipient', async () => {
    const ops = new SwitchboardClient({ url: gateway.wsUrl, id: 'ops-bot', WebSocket, reconnect: false });
    extras.push(ops);
    await ops.connect();
    ops.message('dash-test', { text: 'hello dashboard' });
    await page.waitForSelector('#message-log li.msg-in:has-text("hello dashboard")');
    assert.match(await page.innerText('#message-log li.msg-in'), /from ops-bot/);

    await page.fill('#message-to', 'sim-001');
    await page.fill('#message-payload', '{"note": "check the valve"}');
    await page.click('#message-send');
    const got = await fleet.waitForMessage((m) => m.to === 'sim-001');
    assert.deepEqual(got.payload, { note: 'check the valve' });
    assert.equal(got.from, 'dash-test');

    await page.fill('#message-to', 'sim-005');
    await page.fill('#message-payload', 'plain words');
    await waitForText(page, '#message-payload-check', 'sent as a text string');
    await page.click('#message-send');
    await page.waitForSelector('#message-log li[data-peer="sim-005"][data-state="failed"]');
    assert.match(await page.innerText('#message-log li[data-peer="sim-005"]'), /offline/);
    await browser.screenshot('06-messages');
});

test('the device list works from the keyboard and filters by prefix', async () => {
    await page.focus('#device-list');
    await page.keyboard.press('Home');
    await waitForText(page, '#target', 'sim-000');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await waitForText(page, '#target', 'sim-002');
    assert.equal(await page.getAttribute('#device-list', 'aria-activedescendant'), 'device-sim-002');

    await page.fill('#device-filter', 'sim-01');
    await waitForText(page, '#device-count', '2 shown');
    const shown = await page.$$eval('#device-list .device-row:not([hidden])', (rows) => rows.map((r) => r.dataset.id));
    assert.deepEqual(shown, ['sim-010', 'sim-011']);
    await page.fill('#device-filter', '');
    await page.uncheck('#show-offline');
    await waitForText(page, '#device-count', `${FLEET - 1} shown`);
    await page.check('#show-offline');
});

test('after the gateway restarts the page reconnects and follows presence again', async () => {
    const port = gateway.port;
    const problemsBefore = browser.problems.length;
    await gateway.stop();
    await page.waitForSelector('#conn[data-state="reconnecting"]');
    await page.waitForSelector('#stale-banner:not([hidden])');
    await browser.screenshot('07-reconnecting');
    gateway = await startGateway({ port });
    await page.waitForSelector('#conn[data-state="online"]', { timeout: 20000 });
    // The old fleet did not come back: the re-sync marks it offline.
    await waitForText(page, '#device-count', `0 online · ${FLEET} offline`);
    // A device registering now is seen only through the restored subscription.
    const late = await startFleet({ url: gateway.wsUrl, count: 1, prefix: 'late-' });
    extras.push({ close: () => late.stop() });
    await page.waitForSelector('#device-list [data-id="late-000"]:not(.offline)');
    await waitForText(page, '#device-count', `1 online · ${FLEET} offline`);
    // While the gateway was down, any of the Gateway panel's /metrics polls
    // (every 2 s) failed to connect, and Chromium logs each failed fetch as a
    // console error that the page cannot suppress: expected here, and only here.
    const during = browser.problems.splice(problemsBefore);
    browser.problems.push(...during.filter((p) => !/net::ERR_CONNECTION_REFUSED/.test(p)));
});

test('a session taking over the ID stops the page from reconnecting', async () => {
    const twin = new SwitchboardClient({ url: gateway.wsUrl, id: 'dash-test', WebSocket, reconnect: false });
    extras.push(twin);
    await twin.connect();
    await page.waitForSelector('#conn[data-state="closed"]');
    await waitForText(page, '#conn-text', 'another session signed in with this ID');
    await waitForText(page, '#stale-banner', 'Sign out and sign in again');
    await browser.screenshot('08-replaced');
    assert.equal(twin.state, 'online', 'the page did not take the ID back');
});

test('a link pointing the page at another gateway asks before connecting', async () => {
    const other = await browser.context.newPage();
    try {
        const elsewhere = `ws://localhost:${gateway.port}/ws`;
        await other.goto(`${gateway.httpUrl}?url=${encodeURIComponent(elsewhere)}&id=dash-lured`);
        let asked = '';
        other.once('dialog', async (dialog) => {
            asked = `${dialog.type()}: ${dialog.message()}`;
            await dialog.dismiss();
        });
        await other.click('#signin-submit');
        await waitForText(other, '#signin-error', 'is not this page\'s gateway');
        assert.match(asked, /^confirm: Connect to localhost:\d+\?/);
        assert.equal(await other.getAttribute('#conn', 'data-state'), 'idle');
        assert.equal(await other.isHidden('#app-view'), true);
    } finally {
        await other.close();
    }
});

test('every answer carries the security headers and the page works under its CSP', async () => {
    for (const path of ['', 'js/app.js', 'healthz', 'no-such-file']) {
        const res = await fetch(`${gateway.httpUrl}${path}`);
        const csp = res.headers.get('content-security-policy') || '';
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.match(csp, /default-src 'self'/, path);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
        assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
    }
    // The page above signed in and ran every panel with the policy in force;
    // a violation would be a console error, which the next test refuses.
});

test('the page logged no errors', () => {
    // 'offline' and similar protocol errors are expected; script errors are not.
    const unexpected = browser.problems.filter((p) => !/WebSocket connection to .* failed/.test(p));
    assert.deepEqual(unexpected, []);
});
