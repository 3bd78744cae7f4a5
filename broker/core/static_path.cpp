#include "static_path.hpp"

#include <algorithm>

namespace switchboard {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A byte no file of the dashboard has in its name, raw or decoded: the
// separators of either system, NUL and the other control characters.
bool refused_byte(unsigned char c) noexcept {
    return c == '/' || c == '\\' || c < 0x20 || c == 0x7F;
}

// One segment, decoded once; nothing if it is malformed or refused.
std::optional<std::string> decode_segment(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '%') {
            if (i + 2 >= raw.size()) return std::nullopt;
            int hi = hex_value(raw[i + 1]);
            int lo = hex_value(raw[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        }
        if (refused_byte(static_cast<unsigned char>(c))) return std::nullopt;
        out.push_back(c);
    }
    if (out.empty() || out == "." || out == "..") return std::nullopt;
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
