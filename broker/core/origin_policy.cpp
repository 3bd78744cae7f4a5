#include "origin_policy.hpp"

#include <algorithm>
#include <cctype>

namespace switchboard {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool authority_char(char c) noexcept {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
}

}  // namespace

origin_policy::origin_policy(origin_options options) : options_(std::move(options)) {
    for (auto& o : options_.allowed) o = lower(o);
}

bool origin_policy::is_well_formed(std::string_view origin) noexcept {
    std::string_view rest;
    if (origin.starts_with("http://")) {
        rest = origin.substr(7);
    } else if (origin.starts_with("https://")) {
        rest = origin.substr(8);
    } else {
        return false;
    }
    // No path, query, user info or anything else a look-alike could hide in.
    return !rest.empty() && std::all_of(rest.begin(), rest.end(), authority_char);
}

bool origin_policy::allows(const std::string* origin, std::string_view host) const {
    if (origin == nullptr) return options_.allow_missing;
    std::string o = lower(*origin);
    if (!options_.allowed.empty()) {
        return std::find(options_.allowed.begin(), options_.allowed.end(), o) !=
               options_.allowed.end();
    }
    // Same host only: "null", other schemes and anything with a path fail here.
    if (!is_well_formed(o) || host.empty()) return false;
    std::string_view authority = std::string_view(o).substr(o.find("://") + 3);
    return authority == lower(host);
}

}  // namespace switchboard
