// device-list.js: the virtualised device list. Only the rows in view (plus a
// few) exist in the DOM, so 5,000 devices cost the same as 30. The list is an
// ARIA listbox: arrow keys, Page Up/Down, Home and End move the selection,
// which follows focus.

import { ago, clockTime } from './format.js';

const OVERSCAN = 6;

export class DeviceList {
    // root: the scrolling listbox element; store: a DeviceStore;
    // onSelect(id): called when the user selects a device.
    constructor({ root, store, countEl, emptyEl, onSelect }) {
        this.root = root;
        this.store = store;
        this.countEl = countEl;
        this.emptyEl = emptyEl;
        this.onSelect = onSelect;
        this.spacer = root.querySelector('.device-spacer');
        this.rowHeight = 32;
        this.prefix = '';
        this.includeOffline = true;
        this.view = [];
        this.viewVersion = -1;
        this.selected = null;
        this.rows = [];          // pooled row elements
        this.frame = 0;

        root.addEventListener('scroll', () => this.schedule(), { passive: true });
        root.addEventListener('click', (e) => {
            const row = e.target.closest('.device-row');
            if (row && row.dataset.id) this.select(row.dataset.id);
        });
        root.addEventListener('keydown', (e) => this.onKey(e));
        new ResizeObserver(() => this.schedule()).observe(root);
        // "Last event" reads "n s ago": refresh the visible rows now and then.
        setInterval(() => this.schedule(), 1000);
    }

    setFilter(prefix, includeOffline) {
        this.prefix = prefix;
        this.includeOffline = includeOffline;
        this.viewVersion = -1;
        this.root.scrollTop = 0;
        this.schedule();
    }

    // Coalesces any number of changes into one render per animation frame.
    schedule() {
        if (this.frame) return;
        this.frame = requestAnimationFrame(() => {
            this.frame = 0;
            this.render();
        });
    }

    refreshView() {
        const key = `${this.store.version}`;
        if (this.viewVersion === key) return;
        this.viewVersion = key;
        this.view = this.store.view(this.prefix, this.includeOffline);
        this.spacer.style.height = `${this.view.length * this.rowHeight}px`;
        this.root.setAttribute('aria-setsize', String(this.view.length));
    }

    render() {
        this.refreshView();
        const total = this.store.size;
        const online = this.store.onlineCount;
        const offline = total - online;
        const shown = this.view.length;
        let text = `${online.toLocaleString('en')} online`;
        if (offline) text += ` · ${offline.toLocaleString('en')} offline`;
        if (this.prefix || !this.includeOffline) text += ` · ${shown.toLocaleString('en')} shown`;
        if (this.countEl.textContent !== text) this.countEl.textContent = text;
        this.emptyEl.hidden = shown > 0;
        if (shown === 0) {
            this.emptyEl.textContent = total === 0 ? 'No devices online yet.'
                : `No device matches “${this.prefix}”.`;
        }

        const height = this.root.clientHeight || 600;
        const first = Math.max(0, Math.floor(this.root.scrollTop / this.rowHeight) - OVERSCAN);
        const last = Math.min(shown, Math.ceil((this.root.scrollTop + height) / this.rowHeight) + OVERSCAN);
        const needed = last - first;
        while (this.rows.length < needed) {
            const row = document.createElement('div');
            row.className = 'device-row';
            row.setAttribute('role', 'option');
            row.innerHTML = '<span class="c-id"></span><span class="c-via"><span class="via"></span></span>' +
                '<span class="c-since"></span><span class="c-model"></span><span class="c-fw"></span>' +
                '<span class="c-event"></span>';
            this.root.appendChild(row);
            this.rows.push(row);
        }
        const now = Date.now();
        let activeRow = null;
        for (let i = 0; i < this.rows.length; i++) {
            const row = this.rows[i];
            if (i >= needed) {
                row.hidden = true;
                row.removeAttribute('id');
                continue;
            }
            const index = first + i;
            const d = this.store.get(this.view[index]);
            row.hidden = false;
            row.style.transform = `translateY(${index * this.rowHeight}px)`;
            this.fill(row, d, index, now);
            if (d.id === this.selected) activeRow = row;
        }
        if (activeRow) this.root.setAttribute('aria-activedescendant', activeRow.id);
        else this.root.removeAttribute('aria-activedescendant');
    }

    fill(row, d, index, now) {
        const set = (el, text) => {
            if (el.textContent !== text) el.textContent = text;
        };
        const [id, via, since, model, fw, event] = row.children;
        row.dataset.id = d.id;
        row.id = `device-${d.id}`;
        row.classList.toggle('offline', !d.online);
        row.setAttribute('aria-selected', d.id === this.selected ? 'true' : 'false');
        row.setAttribute('aria-posinset', String(index + 1));
        set(id, d.id);
        id.title = d.id;
        const badge = via.firstChild;
        set(badge, d.via || '');
        badge.className = `via ${d.via === 'mqtt' ? 'mqtt' : ''}`;
        if (d.online) {
            set(since, clockTime(d.since, now));
            since.title = d.since ? new Date(d.since).toLocaleString() : '';
        } else {
            set(since, 'offline');
            since.title = d.offlineAt ? `offline since ${new Date(d.offlineAt).toLocaleString()}` : 'offline';
        }
        const meta = d.meta || {};
        set(model, meta.model !== undefined ? String(meta.model) : '—');
        set(fw, meta.firmware !== undefined ? String(meta.firmware) : '—');
        set(event, d.lastEventAt ? ago(d.lastEventAt, now) : '—');
        row.setAttribute('aria-label',
            `${d.id}, ${d.online ? 'online' : 'offline'}, via ${d.via || 'unknown'}` +
            (meta.model ? `, model ${meta.model}` : '') + (meta.firmware ? `, firmware ${meta.firmware}` : ''));
    }

    select(id, { scroll = false } = {}) {
        this.selected = id;
        if (scroll) this.scrollTo(id);
        this.render();
        this.onSelect(id);
    }

    scrollTo(id) {
        this.refreshView();
        const index = this.view.indexOf(id);
        if (index < 0) return;
        const top = index * this.rowHeight;
        const height = this.root.clientHeight;
        if (top < this.root.scrollTop) this.root.scrollTop = top;
        else if (top + this.rowHeight > this.root.scrollTop + height) this.root.scrollTop = top + this.rowHeight - height;
    }

    onKey(e) {
        this.refreshView();
        if (this.view.length === 0) return;
        const page = Math.max(1, Math.floor(this.root.clientHeight / this.rowHeight) - 1);
        const current = this.view.indexOf(this.selected);
        let next;
        switch (e.key) {
            case 'ArrowDown': next = current < 0 ? 0 : current + 1; break;
            case 'ArrowUp': next = current < 0 ? 0 : current - 1; break;
            case 'PageDown': next = Math.max(0, current) + page; break;
            case 'PageUp': next = Math.max(0, current) - page; break;
            case 'Home': next = 0; break;
            case 'End': next = this.view.length - 1; break;
            default: return;
        }
        e.preventDefault();
        next = Math.min(this.view.length - 1, Math.max(0, next));
        this.select(this.view[next], { scroll: true });
    }
}
