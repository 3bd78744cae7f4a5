# Groups `perf report --no-children --sort dso,symbol -g none` lines (self
# time) into the parts of the gateway's work, for docs/benchmarks.md.
{
    p = $1; sub("%", "", p); l = $0; c = "other user space"
    if (l ~ /\[k\]/) {
        if (l ~ /pvm_irq/) c = "kernel: interrupt re-enable (paravirtualised; syscall and softirq exits land here)"
        else if (l ~ /tcp|inet|ip_|skb|sock|dev_|napi|net_|loopback/) c = "kernel: TCP/IP (loopback send and receive)"
        else if (l ~ /epoll|ep_/) c = "kernel: epoll"
        else c = "kernel: other (syscall entry, fdget, scheduler)"
    }
    else if (l ~ /malloc|free|unlink_chunk|_int_|operator new|operator delete/) c = "malloc/free"
    else if (l ~ /nlohmann/) c = "JSON parsing (nlohmann)"
    else if (l ~ /json_text|scanner::|json_object_view|json_string|json_writer|append_json_string/) c = "JSON frames read and written (json_text, outbound_frame)"
    else if (l ~ /switchboard::/) c = "switchboard code (router, registry, pending commands, frames)"
    else if (l ~ /beast/) c = "Beast WebSocket framing and write ops"
    else if (l ~ /asio/) c = "Asio scheduler and reactor"
    else if (l ~ /sendmsg|recvmsg|epoll_wait|__libc_/) c = "libc system call wrappers"
    else if (l ~ /mutex|pthread/) c = "locks"
    else if (l ~ /mem|str/) c = "memcpy, memcmp, strings"
    s[c] += p
}
END { for (k in s) printf "%6.1f %%  %s\n", s[k], k }
