#pragma once
// What the Paho C library this process loaded was built with. Debian 12's
// libpaho-mqtt1.3 is built without PAHO_HIGH_PERFORMANCE: every Paho
// function then records its name on a per-thread stack and every allocation
// enters a tree, each under a mutex, about two thirds of the gateway's
// instructions per bridged round trip (docs/mqtt.md, "Paho C's build").
// Nothing turns that off at run time, so the gateway says which build it
// runs on: an operator then knows where the bridge's CPU goes.

#include <string>

namespace switchboard {

struct paho_build {
    std::string
        version;  // Paho C's own "Version" ("1.3.11" for Debian 12's 1.3.12-1); may be empty
    bool tracks_calls = false;  // built with its call and heap tracking
};

// Read on the first call, the same after. Any thread.
const paho_build& loaded_paho_build();

}  // namespace switchboard
