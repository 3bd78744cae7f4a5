// Launches Debian's Chromium through playwright-core with a fresh profile,
// and small waiting helpers (every wait has a deadline; nothing sleeps).

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { repoRoot } from './gateway.mjs';

export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'];

export const screenshotDir = path.join(repoRoot, 'build', 'browser-screenshots');

export async function launchBrowser({ width = 1440, height = 900, args = [] } = {}) {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'switchboard-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: [...CHROMIUM_FLAGS, ...args],
        viewport: { width, height },
        timeout: 30000,
    });
    context.setDefaultTimeout(10000);
    const page = context.pages()[0] || await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    mkdirSync(screenshotDir, { recursive: true });
    return {
        context,
        page,
        problems,
        async screenshot(name) {
            await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
        },
        async close() {
            await context.close();
            rmSync(profile, { recursive: true, force: true });
        },
    };
}

// Waits until the element's text contains `text`.
export async function waitForText(page, selector, text, timeout = 10000) {
    await page.waitForFunction(([s, t]) => document.querySelector(s)?.textContent.includes(t),
        [selector, text], { timeout });
}

export async function signIn(page, url, id) {
    await page.goto(url);
    await page.fill('#signin-id', id);
    await page.click('#signin-submit');
    await page.waitForSelector('#conn[data-state="online"]');
    await page.waitForSelector('#app-view:not([hidden])');
}
