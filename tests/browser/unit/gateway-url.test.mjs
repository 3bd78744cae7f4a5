// Unit tests of dashboard/js/gateway-url.js: which URLs the dashboard
// connects to without asking the operator first.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOwnGateway, isWebSocketUrl } from '../../../dashboard/js/gateway-url.js';

const page = { host: '127.0.0.1:8080' };

test('the page\'s own host and port is its gateway, over ws or wss', () => {
    assert.equal(isOwnGateway('ws://127.0.0.1:8080/ws', page), true);
    assert.equal(isOwnGateway('wss://127.0.0.1:8080/ws', page), true);
    assert.equal(isOwnGateway('ws://127.0.0.1:8080/ws?token=x', page), true);
    assert.equal(isOwnGateway('wss://gw.example.com/ws', { host: 'gw.example.com' }), true);
});

test('another host, port or look-alike is not', () => {
    for (const url of ['ws://127.0.0.1:8081/ws', 'ws://localhost:8080/ws',
        'ws://evil.example/ws', 'ws://127.0.0.1:8080.evil.example/ws',
        'ws://evil.example/127.0.0.1:8080', 'ws://user@evil.example:8080/ws',
        'http://127.0.0.1:8080/ws', 'javascript:alert(1)', 'not a url', '']) {
        assert.equal(isOwnGateway(url, page), false, url);
    }
});

test('only ws:// and wss:// URLs are gateway addresses', () => {
    assert.equal(isWebSocketUrl('ws://h/ws'), true);
    assert.equal(isWebSocketUrl('wss://h/ws'), true);
    assert.equal(isWebSocketUrl('https://h/ws'), false);
    assert.equal(isWebSocketUrl('ws:/'), false);
    assert.equal(isWebSocketUrl(''), false);
});
