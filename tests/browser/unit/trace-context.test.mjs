// Unit tests of dashboard/js/trace-context.js (the client carrying a
// command's traceparent both ways is in client.test.mjs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newTraceparent, traceIdOf } from '../../../dashboard/js/trace-context.js';

const FORMAT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

test('trace: a new traceparent is version 00, lowercase hex, sampled', () => {
    const t = newTraceparent();
    assert.match(t, FORMAT);
    assert.equal(t.length, 55);
    assert.equal(traceIdOf(t), t.slice(3, 35));
});

test('trace: each command gets its own trace-id', () => {
    const seen = new Set();
    for (let i = 0; i < 200; i++) seen.add(traceIdOf(newTraceparent()));
    assert.equal(seen.size, 200);
});

test('trace: a random source giving zeros still makes valid IDs', () => {
    const t = newTraceparent((bytes) => bytes.fill(0));
    assert.match(t, FORMAT);
    assert.notEqual(traceIdOf(t), null);
    assert.notEqual(t.slice(36, 52), '0000000000000000');
});

test('trace: traceIdOf refuses what is not a valid version-00 traceparent', () => {
    assert.equal(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
        '4bf92f3577b34da6a3ce929d0e0e4736');
    for (const bad of [undefined, '', 'x', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
        '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
        '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
        '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-']) {
        assert.equal(traceIdOf(bad), null, String(bad));
    }
});
