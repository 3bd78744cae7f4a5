// event-stream.js: the live events of the selected device, newest first, with
// pause and a small chart: one sparkline lane per numeric field of the events'
// data (up to four), each scaled to its own range.

import { clockTime, compactJson } from './format.js';

const LIST_MAX = 300;
const POINTS_MAX = 120;
const SERIES_MAX = 4;
const COLORS = ['#1d4ed8', '#c2410c', '#15803d', '#7e22ce'];

// Numeric values of an event's data: {field: number}, one level of nesting.
export function numericFields(data) {
    const out = {};
    if (typeof data === 'number' && Number.isFinite(data)) out.value = data;
    if (data && typeof data === 'object' && !Array.isArray(data)) {
        for (const [k, v] of Object.entries(data)) {
            if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
            else if (v && typeof v === 'object' && !Array.isArray(v)) {
                for (const [k2, v2] of Object.entries(v)) {
                    if (typeof v2 === 'number' && Number.isFinite(v2)) out[`${k}.${k2}`] = v2;
                }
            }
        }
    }
    return out;
}

export class EventStream {
    constructor({ el }) {
        this.el = el;
        this.deviceId = null;
        this.paused = false;
        this.held = [];           // events received while paused
        this.series = new Map();  // field -> [{t, v}]
        this.frame = 0;
        el.pause.addEventListener('click', () => this.setPaused(!this.paused));
        el.clear.addEventListener('click', () => this.clear());
        new ResizeObserver(() => this.scheduleDraw()).observe(el.chart);
        this.showEmpty();
    }

    setDevice(id) {
        if (id === this.deviceId) return;
        this.deviceId = id;
        this.el.source.textContent = id ? `from ${id}` : '';
        this.clear();
    }

    clear() {
        this.held = [];
        this.series.clear();
        this.el.list.replaceChildren();
        this.updatePausedNote();
        this.showEmpty();
        this.scheduleDraw();
    }

    showEmpty() {
        if (this.el.list.children.length > 0) return;
        const li = document.createElement('li');
        li.className = 'empty-note';
        li.textContent = this.deviceId ? `Waiting for events from ${this.deviceId}…` : 'Select a device to see its events.';
        this.el.list.replaceChildren(li);
    }

    setPaused(paused) {
        this.paused = paused;
        this.el.pause.setAttribute('aria-pressed', paused ? 'true' : 'false');
        this.el.pause.textContent = paused ? 'Resume' : 'Pause';
        if (!paused) {
            const held = this.held;
            this.held = [];
            for (const e of held) this.show(e);
        }
        this.updatePausedNote();
    }

    updatePausedNote() {
        const note = this.el.pausedNote;
        note.hidden = !this.paused;
        note.textContent = `Paused: ${this.held.length} new event${this.held.length === 1 ? '' : 's'} held back.`;
    }

    // An `event` frame from the gateway.
    add(frame, at = Date.now()) {
        if (frame.from !== this.deviceId) return;
        const e = { frame, at };
        if (this.paused) {
            this.held.push(e);
            if (this.held.length > LIST_MAX) this.held.shift();
            this.updatePausedNote();
            return;
        }
        this.show(e);
    }

    show({ frame, at }) {
        const list = this.el.list;
        if (list.firstChild?.classList?.contains('empty-note')) list.replaceChildren();
        const li = document.createElement('li');
        const time = document.createElement('span');
        time.className = 'time';
        time.textContent = clockTime(at);
        const name = document.createElement('span');
        name.className = 'name';
        name.textContent = frame.name;
        const data = document.createElement('span');
        data.className = 'data';
        data.textContent = compactJson(frame.data, 400);
        li.append(time, name, data);
        list.prepend(li);
        while (list.children.length > LIST_MAX) list.lastChild.remove();

        for (const [field, v] of Object.entries(numericFields(frame.data))) {
            let points = this.series.get(field);
            if (!points) {
                if (this.series.size >= SERIES_MAX) continue;
                points = [];
                this.series.set(field, points);
            }
            points.push({ t: at, v });
            if (points.length > POINTS_MAX) points.shift();
        }
        this.scheduleDraw();
    }

    scheduleDraw() {
        if (this.frame) return;
        this.frame = requestAnimationFrame(() => {
            this.frame = 0;
            this.draw();
        });
    }

    draw() {
        const canvas = this.el.chart;
        const ratio = window.devicePixelRatio || 1;
        const width = canvas.clientWidth;
        const height = canvas.clientHeight;
        if (!width || !height) return;
        if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
        if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
        const g = canvas.getContext('2d');
        g.setTransform(ratio, 0, 0, ratio, 0, 0);
        g.clearRect(0, 0, width, height);
        g.font = '12px system-ui, sans-serif';
        g.textBaseline = 'middle';
        const lanes = [...this.series.entries()];
        canvas.dataset.series = lanes.map(([k]) => k).join(',');
        canvas.dataset.points = String(lanes.reduce((n, [, p]) => n + p.length, 0));
        if (lanes.length === 0) {
            g.fillStyle = '#4b5567';
            g.textAlign = 'center';
            g.fillText(this.deviceId ? 'Numeric values of events are charted here.' : 'No device selected.', width / 2, height / 2);
            canvas.setAttribute('aria-label', 'Chart: no numeric values yet');
            return;
        }
        const labelW = 150;
        // The x axis holds the longest series, at least 30 points, so a few
        // events do not crowd into the right edge.
        const slots = Math.max(30, ...lanes.map(([, p]) => p.length));
        const laneH = height / lanes.length;
        const summary = [];
        lanes.forEach(([field, points], i) => {
            const top = i * laneH;
            const color = COLORS[i % COLORS.length];
            let min = Infinity;
            let max = -Infinity;
            for (const p of points) {
                min = Math.min(min, p.v);
                max = Math.max(max, p.v);
            }
            const last = points[points.length - 1].v;
            summary.push(`${field} ${last}`);
            if (i > 0) {
                g.strokeStyle = '#e8ecf2';
                g.lineWidth = 1;
                g.beginPath();
                g.moveTo(0, top + 0.5);
                g.lineTo(width, top + 0.5);
                g.stroke();
            }
            g.textAlign = 'left';
            g.fillStyle = color;
            g.fillRect(10, top + laneH / 2 - 4, 8, 8);
            g.fillStyle = '#0f172a';
            g.fillText(`${field}`, 24, top + laneH / 2 - (laneH > 34 ? 7 : 0));
            if (laneH > 34) {
                g.fillStyle = '#4b5567';
                g.fillText(`${formatNumber(last)}  (${formatNumber(min)}–${formatNumber(max)})`, 24, top + laneH / 2 + 8);
            }
            const x0 = labelW;
            const x1 = width - 10;
            const pad = Math.min(8, laneH * 0.2);
            const y = (v) => max === min ? top + laneH / 2
                : top + pad + (1 - (v - min) / (max - min)) * (laneH - 2 * pad);
            const step = (x1 - x0) / Math.max(1, slots - 1);
            const offset = slots - points.length;
            g.strokeStyle = color;
            g.lineWidth = 1.6;
            g.lineJoin = 'round';
            g.beginPath();
            points.forEach((p, j) => {
                const x = x0 + (offset + j) * step;
                if (j === 0) g.moveTo(x, y(p.v));
                else g.lineTo(x, y(p.v));
            });
            g.stroke();
            g.fillStyle = color;
            g.beginPath();
            g.arc(x0 + (slots - 1) * step, y(last), 2.5, 0, Math.PI * 2);
            g.fill();
        });
        canvas.setAttribute('aria-label', `Chart of the latest values: ${summary.join(', ')}`);
    }
}

function formatNumber(v) {
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}
