// The dashboard over https:// and wss:// in real headless Chromium: a TLS
// 1.3 stack that is not OpenSSL's (BoringSSL) against the gateway's own
// TLS 1.3 record layer after the upgrade (docs/architecture.md, "TLS 1.3
// records after the handshake"). Devices connect over wss:// with node's
// `ws` (OpenSSL). The certificate is a fresh self-signed pair, so Chromium
// is told to accept it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { makeDevCert, startGateway } from '../support/gateway.mjs';
import { startFleet } from '../support/fleet.mjs';
import { launchBrowser, signIn, waitForText } from '../support/browser.mjs';

const FLEET = 3;
let gateway;
let fleet;
let browser;
let page;

before(async () => {
    const cert = makeDevCert();
    gateway = await startGateway({ tls: cert });
    const ca = readFileSync(cert.certFile);
    class TrustingWebSocket extends WebSocket {
        constructor(url, protocols, options = {}) {
            super(url, protocols, { ...options, ca });
        }
    }
    fleet = await startFleet({ url: gateway.wssUrl, count: FLEET, WebSocketImpl: TrustingWebSocket });
    browser = await launchBrowser({ args: ['--ignore-certificate-errors'] });
    page = browser.page;
    await signIn(page, gateway.httpsUrl, 'dash-wss');
});

after(async () => {
    fleet?.stop();
    await browser?.close();
    await gateway?.stop();
});

test('over wss:// the dashboard lists the fleet and a command gets its answer', async () => {
    await waitForText(page, '#device-count', `${FLEET} online`);
    await page.click('#device-list [data-id="sim-001"]');
    await waitForText(page, '#target', 'sim-001');
    // A payload over one TLS record (16 KiB) each way, then small ones.
    const long = 'x'.repeat(20000);
    for (const [name, args, shown] of [['echo', `{"note": "${long}"}`, long],
        ['echo', '{"rpm": 1500}', '"rpm": 1500'], ['set_speed', '{"rpm": 1200}', '"rpm": 1200']]) {
        await page.fill('#command-name', name);
        await page.fill('#command-args', args);
        await page.click('#command-send');
        await waitForText(page, '#command-result', shown);
    }
    assert.equal(await page.getAttribute('#command-result', 'data-state'), 'ok');
    await browser.screenshot('20-wss-command-response');
    assert.deepEqual(browser.problems, []);
});

test('every wss:// connection kept only its TLS 1.3 keys', async () => {
    // Read by the page itself, over https:// from loopback.
    const stats = await page.evaluate(async () => (await fetch('/stats')).json());
    // The fleet's devices and the dashboard's own connection.
    assert.ok(stats.tls_keys_only >= FLEET + 1, JSON.stringify(stats));
    assert.equal(stats.tls_openssl_records, 0);
});
