// device-store.js: the dashboard's table of devices, kept sorted by ID so a
// prefix filter is a binary search, not a scan. No DOM. Fed from `list`
// pages and `presence` frames; `version` changes whenever a view may change.

export class DeviceStore {
    constructor() {
        this.byId = new Map();   // id -> {id, via, since, meta, online, offlineAt, lastEventAt}
        this.ids = [];           // sorted
        this.version = 0;
        this.onlineCount = 0;
    }

    get size() {
        return this.ids.length;
    }

    get(id) {
        return this.byId.get(id);
    }

    // First index whose ID is >= key.
    lowerBound(key) {
        let lo = 0;
        let hi = this.ids.length;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (this.ids[mid] < key) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    // A device is online with these details (a `list` item or an online
    // `presence`).
    setOnline(item) {
        let d = this.byId.get(item.id);
        if (!d) {
            d = { id: item.id, online: false, lastEventAt: null, offlineAt: null };
            this.byId.set(item.id, d);
            this.ids.splice(this.lowerBound(item.id), 0, item.id);
        }
        if (!d.online) this.onlineCount += 1;
        d.online = true;
        d.offlineAt = null;
        d.via = item.via || d.via || 'ws';
        d.since = item.since ?? d.since ?? null;
        d.meta = item.meta && typeof item.meta === 'object' ? item.meta : (d.meta || {});
        this.version += 1;
        return d;
    }

    // A `presence` frame. Two changes of one ID made on different gateway
    // threads may arrive in either order: the one with the lower `seq` is
    // stale and ignored (returns false).
    applyPresence(p, at = Date.now()) {
        const d = this.byId.get(p.id);
        if (d && typeof d.seq === 'number' && typeof p.seq === 'number' && p.seq <= d.seq) {
            return false;
        }
        const after = p.online ? this.setOnline(p) : this.setOffline(p.id, at);
        if (after && typeof p.seq === 'number') after.seq = p.seq;
        return true;
    }

    // The device left; it stays listed, greyed out, so its history remains.
    setOffline(id, at = Date.now()) {
        const d = this.byId.get(id);
        if (!d || !d.online) return d;
        d.online = false;
        d.offlineAt = at;
        this.onlineCount -= 1;
        this.version += 1;
        return d;
    }

    noteEvent(id, at = Date.now()) {
        const d = this.byId.get(id);
        if (!d) return null;
        d.lastEventAt = at;
        return d;
    }

    // IDs starting with `prefix`, in order; offline ones only when asked.
    view(prefix = '', includeOffline = true) {
        let start = 0;
        let end = this.ids.length;
        if (prefix) {
            start = this.lowerBound(prefix);
            end = start;
            while (end < this.ids.length && this.ids[end].startsWith(prefix)) end++;
        }
        const slice = this.ids.slice(start, end);
        return includeOffline ? slice : slice.filter((id) => this.byId.get(id).online);
    }
}
