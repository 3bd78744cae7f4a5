#include "connection_log.hpp"

#include "outbound_frame.hpp"  // append_json_string

namespace switchboard {
namespace {

std::string facts_text(std::string_view event, const connection_facts& f) {
    std::string line(event);
    line.append(": id=").append(f.id);
    line.append(" role=").append(f.role);
    line.append(" transport=").append(f.transport);
    line.append(" remote=").append(f.remote);
    line.append(" session=").append(f.session);
    return line;
}

}  // namespace

std::string connection_opened_line(const connection_facts& facts) {
    return facts_text("connection open", facts);
}

std::string connection_closed_line(const connection_facts& facts, std::string_view reason) {
    std::string line = facts_text("connection closed", facts);
    // Quoted and escaped: a close reason may hold spaces (or what a peer sent).
    line += " reason=";
    append_json_string(line, reason);
    return line;
}

}  // namespace switchboard
