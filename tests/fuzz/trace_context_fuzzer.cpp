// libFuzzer target: the W3C traceparent parser (core/trace_context), with
// arbitrary bytes as a `traceparent` field or MQTT 5 user property.
// Oracle: a value accepted is written back as 55 characters of version 00
// that parse to the same context (with the same trace-id and flags under a
// new parent-id too), never with an all-zero ID; a value refused says why.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/trace_context.hpp"

using namespace switchboard;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    traceparent_parse parsed = parse_traceparent(text);
    if (!parsed.context) {
        check(!parsed.problem.empty());
        return 0;
    }
    check(parsed.problem.empty());
    check(size >= traceparent_length);
    const trace_context& c = *parsed.context;
    traceparent_text written = c.text();
    check(written.view().size() == traceparent_length && written.view().substr(0, 3) == "00-");
    // Version 00 is echoed byte for byte.
    if (text.substr(0, 2) == "00") check(written.view() == text);
    traceparent_parse again = parse_traceparent(written.view());
    check(again.context && *again.context == c);
    check(c.trace_id_view().find_first_not_of('0') != std::string_view::npos);
    check(c.parent_id_view().find_first_not_of('0') != std::string_view::npos);
    trace_context child = c.with_parent(size);
    traceparent_parse child_parsed = parse_traceparent(child.text().view());
    check(child_parsed.context && child_parsed.context->same_trace(c) &&
          child_parsed.context->flags == c.flags);
    return 0;
}
