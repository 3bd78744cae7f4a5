#include "static_path.hpp"

#include <algorithm>

#include "percent_decoding.hpp"

namespace switchboard {
namespace {

// A byte no file of the dashboard has in its name, raw or decoded: the
// separators of either system, NUL and the other control characters.
bool refused_byte(unsigned char c) noexcept {
    return c == '/' || c == '\\' || c < 0x20 || c == 0x7F;
}

// One segment, decoded once; nothing if it is malformed or refused.
std::optional<std::string> decode_segment(std::string_view raw) {
    auto out = percent_decode(raw, plus_sign::literal);
    if (!out || out->empty() || *out == "." || *out == "..") return std::nullopt;
    if (std::any_of(out->begin(), out->end(),
                    [](char c) { return refused_byte(static_cast<unsigned char>(c)); }))
        return std::nullopt;
    return out;
}

}  // namespace

std::optional<std::vector<std::string>> static_path_segments(std::string_view url_path) {
    if (url_path.empty() || url_path.front() != '/') return std::nullopt;
    std::vector<std::string> segments;
    std::string_view rest = url_path.substr(1);
    for (;;) {
        std::size_t slash = rest.find('/');
        std::string_view raw = rest.substr(0, slash);
        if (slash == std::string_view::npos && raw.empty()) {
            // "/" alone or a trailing slash: the folder's index.
            segments.emplace_back("index.html");
            return segments;
        }
        auto segment = decode_segment(raw);
        if (!segment) return std::nullopt;
        segments.push_back(std::move(*segment));
        if (slash == std::string_view::npos) return segments;
        rest.remove_prefix(slash + 1);
    }
}

bool is_within(const std::filesystem::path& root, const std::filesystem::path& path) {
    auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    return r == root.end();
}

std::optional<std::filesystem::path> resolve_static_file(const std::filesystem::path& root,
                                                         std::string_view url_path) {
    auto segments = static_path_segments(url_path);
    if (!segments) return std::nullopt;
    std::error_code ec;
    std::filesystem::path canonical_root = std::filesystem::canonical(root, ec);
    if (ec) return std::nullopt;
    std::filesystem::path joined = canonical_root;
    for (const auto& s : *segments) joined /= s;
    // canonical() resolves every symlink and fails for what does not exist.
    std::filesystem::path file = std::filesystem::canonical(joined, ec);
    if (ec || !is_within(canonical_root, file)) return std::nullopt;
    if (!std::filesystem::is_regular_file(file, ec) || ec) return std::nullopt;
    return file;
}

}  // namespace switchboard
