#pragma once
// An allocator for the few asio handlers that stay pending for the life of
// an idle connection (the wait for readability, the keep-alive timer's
// wait), bound with asio::bind_allocator. Asio's default handler memory is
// a per-thread cache of recycled blocks: a pending operation takes any
// cached block large enough, whoever freed it, so a 184-byte wait can sit
// in a block sized for a 500-byte write for as long as the connection is
// idle. Plain operator new gives each exactly its size (measured: ~140
// bytes less per idle connection, docs/benchmarks.md, W2). Stateless; any
// thread.

#include <cstddef>
#include <new>

namespace switchboard {

template <class T>
struct exact_allocator {
    using value_type = T;

    exact_allocator() noexcept = default;
    template <class U>
    exact_allocator(const exact_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }

    friend bool operator==(exact_allocator, exact_allocator) noexcept { return true; }
};

}  // namespace switchboard
