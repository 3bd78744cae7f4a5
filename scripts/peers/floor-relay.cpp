// The floor peer for scripts/bench.sh: the least a server can do and still
// carry switchboard-sim's W1, so the gateway's cost can be read as a ratio to
// it. One thread, one epoll set, non-blocking sockets, a minimal WebSocket
// server (RFC 6455 handshake and framing), and Switchboard's ID routing on
// opaque text frames: no JSON parser, no auth, no ACLs, no pending-command
// table, no timeouts, no keepalive, no limits beyond bounded buffers.
//
// What it reads of a frame is the cheapest extraction of the routing ID:
// - the first text frame of a connection is its `register`: the first
//   `"id":"` value is its ID (a newer connection with the same ID takes it
//   over; the older one is closed), answered `{"type":"registered",...}`;
// - every later text frame is forwarded to the first `"to":"` value's
//   connection, that `"to":"X"` rewritten in place to `"from":"<sender>"`
//   (the gateway stamps `from` the same way); frames without one (events)
//   are dropped; a target that is not connected gets `error offline` with
//   the frame's first `"id":"` value, as the gateway answers.
// This relies on the simulator writing `to` and `id` before any payload (it
// does: docs/protocol.md's field order); a real server must parse.
//
// Not the product: see docs/benchmarks.md, "The floor peer".
//
// Build: c++ -std=c++20 -O2 floor-relay.cpp -o floor-relay -lcrypto
// Usage: floor-relay [PORT [MAX_SECONDS]]   (PORT 0 or none: ephemeral;
// binds 127.0.0.1; prints "listening on 127.0.0.1:PORT"; exits 0 on SIGINT or
// SIGTERM, or after MAX_SECONDS when given and not 0)

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

// Bounds: every byte a client can make the relay hold.
constexpr std::size_t max_handshake = 8192;
constexpr std::size_t max_payload = 65536;  // the gateway's default max_message_bytes
constexpr std::size_t max_frame = max_payload + 14;
constexpr std::size_t max_outbound = 4 << 20;   // a reader this far behind is cut
constexpr std::size_t keep_capacity = 16384;    // larger emptied buffers are freed
constexpr std::size_t read_chunk = 256 * 1024;  // one read() takes this much at most

struct connection {
    int fd = -1;
    bool open = false;       // handshake done
    bool closed = false;     // closed in this batch; freed after it
    bool queued = false;     // in the flush list
    bool wants_out = false;  // EPOLLOUT armed
    std::string id;          // registered ID, empty before register
    std::string in;          // an incomplete handshake or frame
    std::string out;         // bytes not yet written
    std::size_t out_off = 0;
    connection* prev = nullptr;  // every open connection, for the exit's cleanup
    connection* next = nullptr;
};

struct id_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

int epfd = -1;
std::unordered_map<std::string, connection*, id_hash, std::equal_to<>> online;
std::vector<connection*> flush_list;  // connections with output since the last flush
std::vector<connection*> graveyard;   // closed in this batch (events may still name them)
std::vector<char> scratch(read_chunk);
connection* all_head = nullptr;

void close_connection(connection* c) {
    if (c->closed) return;
    c->closed = true;
    if (!c->id.empty()) {
        auto it = online.find(c->id);
        if (it != online.end() && it->second == c) online.erase(it);
    }
    if (c->prev != nullptr) c->prev->next = c->next;
    if (c->next != nullptr) c->next->prev = c->prev;
    if (all_head == c) all_head = c->next;
    ::close(c->fd);  // also leaves the epoll set
    graveyard.push_back(c);
}

void arm(connection* c, bool want_out) {
    if (c->wants_out == want_out) return;
    c->wants_out = want_out;
    epoll_event ev{};
    ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0u);
    ev.data.ptr = c;
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

void flush(connection* c) {
    while (c->out_off < c->out.size()) {
        ssize_t n = ::write(c->fd, c->out.data() + c->out_off, c->out.size() - c->out_off);
        if (n > 0) {
            c->out_off += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return arm(c, true);
        return close_connection(c);
    }
    c->out.clear();
    c->out_off = 0;
    if (c->out.capacity() > keep_capacity) std::string().swap(c->out);
    arm(c, false);
}

// Appends a server frame's header (unmasked) for a payload of `n` bytes.
void append_header(std::string& out, unsigned char opcode, std::size_t n) {
    char h[10];
    std::size_t len = 2;
    h[0] = static_cast<char>(0x80 | opcode);
    if (n < 126) {
        h[1] = static_cast<char>(n);
    } else if (n < 65536) {
        h[1] = 126;
        h[2] = static_cast<char>(n >> 8);
        h[3] = static_cast<char>(n);
        len = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; ++i) h[2 + i] = static_cast<char>(std::uint64_t(n) >> (56 - 8 * i));
        len = 10;
    }
    out.append(h, len);
}

// Queues bytes for `c`; written at the end of the batch (one write per socket).
bool reserve_out(connection* c, std::size_t n) {
    if (c->closed) return false;
    if (c->out.size() - c->out_off + n > max_outbound) {
        close_connection(c);
        return false;
    }
    if (!c->queued) {
        c->queued = true;
        flush_list.push_back(c);
    }
    return true;
}

// Queues one text frame made of `parts`, copied once into the output buffer.
void send_text(connection* c, std::initializer_list<std::string_view> parts) {
    std::size_t n = 0;
    for (auto part : parts) n += part.size();
    if (!reserve_out(c, n + 10)) return;
    append_header(c->out, 0x1, n);
    for (auto part : parts) c->out.append(part);
}

// The string value after the first `"key":"` in `p` (no escapes: IDs have none).
std::string_view string_after(std::string_view p, std::string_view key, std::size_t* at = nullptr) {
    std::size_t k = p.find(key);
    if (k == std::string_view::npos) return {};
    std::size_t v = k + key.size();
    std::size_t end = p.find('"', v);
    if (end == std::string_view::npos) return {};
    if (at != nullptr) *at = k;
    return p.substr(v, end - v);
}

void on_text(connection* c, std::string_view p) {
    if (c->id.empty()) {
        std::string_view id = string_after(p, "\"id\":\"");
        if (id.empty()) return;
        c->id.assign(id);
        auto [it, inserted] = online.try_emplace(c->id, c);
        if (!inserted) {
            connection* previous = it->second;
            it->second = c;
            previous->id.clear();  // its entry is the newcomer's now
            close_connection(previous);
        }
        send_text(c, {"{\"type\":\"registered\",\"id\":\"", c->id, "\",\"node\":\"floor\"}"});
        return;
    }
    std::size_t at = 0;
    std::string_view to = string_after(p, "\"to\":\"", &at);
    if (to.empty()) return;  // events: nobody follows anything here
    auto it = online.find(to);
    if (it == online.end()) {
        std::string_view id = string_after(p, "\"id\":\"");
        send_text(c, {"{\"type\":\"error\",\"code\":\"offline\",\"id\":\"", id, "\"}"});
        return;
    }
    // "to":"X" becomes "from":"<sender>": the rest of the frame is copied as is.
    std::string_view head = p.substr(0, at);
    std::string_view tail = p.substr(at + 7 + to.size());  // after `"to":"X"`
    send_text(it->second, {head, "\"from\":\"", c->id, "\"", tail});
}

void unmask(char* p, std::size_t n, const unsigned char key[4]) {
    std::uint64_t k8;
    unsigned char k[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
    std::memcpy(&k8, k, 8);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        w ^= k8;
        std::memcpy(p + i, &w, 8);
    }
    for (; i < n; ++i) p[i] = static_cast<char>(p[i] ^ key[i & 3]);
}

// Handles every whole frame in [data, data + n); returns the bytes consumed,
// or n + 1 when the connection was closed.
std::size_t on_frames(connection* c, char* data, std::size_t n) {
    std::size_t pos = 0;
    while (n - pos >= 2 && !c->closed) {
        auto* f = reinterpret_cast<unsigned char*>(data + pos);
        bool fin = f[0] & 0x80;
        unsigned opcode = f[0] & 0x0f;
        bool masked = f[1] & 0x80;
        std::uint64_t len = f[1] & 0x7f;
        std::size_t head = 2;
        if (len == 126) {
            if (n - pos < 4) break;
            len = (std::uint64_t(f[2]) << 8) | f[3];
            head = 4;
        } else if (len == 127) {
            if (n - pos < 10) break;
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | f[2 + i];
            head = 10;
        }
        // Client frames are masked; fragments are not something the simulator sends.
        if (!masked || !fin || len > max_payload) {
            close_connection(c);
            return n + 1;
        }
        if (n - pos < head + 4 + len) break;
        unsigned char key[4];
        std::memcpy(key, f + head, 4);
        char* payload = data + pos + head + 4;
        auto size = static_cast<std::size_t>(len);
        unmask(payload, size, key);
        pos += head + 4 + size;
        switch (opcode) {
            case 0x1:
                on_text(c, std::string_view(payload, size));
                break;
            case 0x8:  // close: echo the code, then go
                if (reserve_out(c, size + 10)) {
                    append_header(c->out, 0x8, size < 2 ? 0 : 2);
                    c->out.append(payload, size < 2 ? 0 : 2);
                    flush(c);
                }
                close_connection(c);
                return n + 1;
            case 0x9:  // ping
                if (reserve_out(c, size + 10)) {
                    append_header(c->out, 0xA, size);
                    c->out.append(payload, size);
                }
                break;
            default:  // binary, pong: nothing to do
                break;
        }
    }
    return pos;
}

std::string websocket_accept(std::string_view key) {
    std::string text(key);
    text += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    unsigned char b64[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
    int len = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(len));
}

// The value of header `name` (lower case, with ": ") in `head`, case-insensitively.
std::string_view header(std::string_view head, std::string_view name) {
    for (std::size_t line = head.find("\r\n"); line != std::string_view::npos;
         line = head.find("\r\n", line + 2)) {
        std::string_view rest = head.substr(line + 2);
        if (rest.size() < name.size()) break;
        bool same = true;
        for (std::size_t i = 0; i < name.size() && same; ++i) {
            same = (rest[i] | 0x20) == name[i] || rest[i] == name[i];
        }
        if (!same) continue;
        std::size_t end = rest.find("\r\n");
        std::string_view v = rest.substr(name.size(), end - name.size());
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
        return v;
    }
    return {};
}

// Answers the upgrade once its head is whole; returns the bytes it used
// (0: not yet whole), or n + 1 when the connection was closed.
std::size_t on_handshake(connection* c, const char* data, std::size_t n) {
    std::string_view text(data, n);
    std::size_t end = text.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (n > max_handshake) {
            close_connection(c);
            return n + 1;
        }
        return 0;
    }
    std::string_view head = text.substr(0, end + 2);
    std::string_view key = header(head, "sec-websocket-key:");
    if (key.empty()) {
        close_connection(c);
        return n + 1;
    }
    std::string reply =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        websocket_accept(key) + "\r\n";
    if (header(head, "sec-websocket-protocol:").find("switchboard.v1") != std::string_view::npos) {
        reply += "Sec-WebSocket-Protocol: switchboard.v1\r\n";
    }
    reply += "\r\n";
    if (reserve_out(c, reply.size())) c->out += reply;
    c->open = true;
    return end + 4;
}

std::size_t consume(connection* c, char* data, std::size_t n) {
    std::size_t used = 0;
    if (!c->open) {
        used = on_handshake(c, data, n);
        if (used == 0 || used > n) return used;
    }
    std::size_t more = on_frames(c, data + used, n - used);
    return more > n - used ? n + 1 : used + more;
}

void on_readable(connection* c) {
    ssize_t got = ::read(c->fd, scratch.data(), scratch.size());
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (got <= 0) return close_connection(c);
    auto n = static_cast<std::size_t>(got);
    if (c->in.empty()) {
        // The common case: whole frames straight from the read buffer.
        std::size_t used = consume(c, scratch.data(), n);
        if (used > n || c->closed) return;
        c->in.assign(scratch.data() + used, n - used);
    } else {
        if (c->in.size() + n > max_frame + max_handshake) return close_connection(c);
        c->in.append(scratch.data(), n);
        std::size_t used = consume(c, c->in.data(), c->in.size());
        if (used > c->in.size() || c->closed) return;
        c->in.erase(0, used);
    }
    if (c->in.empty() && c->in.capacity() > keep_capacity) std::string().swap(c->in);
}

void accept_all(int listener) {
    for (;;) {
        int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  // EAGAIN, or out of descriptors: the client retries
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto* c = new connection;
        c->fd = fd;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            ::close(fd);
            delete c;
            continue;
        }
        c->next = all_head;
        if (all_head != nullptr) all_head->prev = c;
        all_head = c;
    }
}

}  // namespace

int main(int argc, char** argv) {
    int port = argc > 1 ? std::atoi(argv[1]) : 0;
    long max_seconds = argc > 2 ? std::atol(argv[2]) : 0;

    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);
    int sigfd = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);

    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (listener < 0 || sigfd < 0 ||
        ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener, SOMAXCONN) != 0) {
        std::perror("floor-relay: listen");
        return 1;
    }
    socklen_t addr_len = sizeof addr;
    getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &addr_len);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    // The listener and the signal descriptor are told apart by these tags.
    static char listener_tag, signal_tag;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &listener_tag;
    epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev);
    ev.data.ptr = &signal_tag;
    epoll_ctl(epfd, EPOLL_CTL_ADD, sigfd, &ev);

    std::printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    std::fflush(stdout);

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(max_seconds);
    std::vector<epoll_event> events(1024);
    bool running = true;
    while (running) {
        int timeout_ms = max_seconds > 0 ? 1000 : -1;
        int n = epoll_wait(epfd, events.data(), static_cast<int>(events.size()), timeout_ms);
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < n; ++i) {
            void* tag = events[i].data.ptr;
            if (tag == &listener_tag) {
                accept_all(listener);
                continue;
            }
            if (tag == &signal_tag) {
                running = false;
                continue;
            }
            auto* c = static_cast<connection*>(tag);
            if (c->closed) continue;
            if (events[i].events & (EPOLLERR | EPOLLHUP)) {
                close_connection(c);
                continue;
            }
            if (events[i].events & EPOLLIN) on_readable(c);
            if (!c->closed && (events[i].events & EPOLLOUT)) flush(c);
        }
        // One write per socket per batch: every frame queued for it goes at once.
        for (std::size_t i = 0; i < flush_list.size(); ++i) {
            connection* c = flush_list[i];
            c->queued = false;
            if (!c->closed) flush(c);
        }
        flush_list.clear();
        for (connection* c : graveyard) delete c;
        graveyard.clear();
        if (max_seconds > 0 && std::chrono::steady_clock::now() >= deadline) running = false;
    }

    // Frees everything, so a leak checker sees a clean exit.
    online.clear();
    while (all_head != nullptr) {
        all_head->id.clear();
        close_connection(all_head);
    }
    for (connection* c : graveyard) delete c;
    graveyard.clear();
    ::close(listener);
    ::close(sigfd);
    ::close(epfd);
    return 0;
}
