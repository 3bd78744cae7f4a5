#include "paho_build.hpp"

#include <MQTTAsync.h>
#include <dlfcn.h>

#include <cstring>

namespace switchboard {

const paho_build& loaded_paho_build() {
    // Read once: MQTTAsync_getVersionInfo fills a static table of its own on
    // every call, so two threads calling it at once would race.
    static const paho_build build = [] {
        paho_build b;
        // Paho exports Heap_get_info only from a build with heap tracking
        // (Heap.c is left out under PAHO_HIGH_PERFORMANCE, call tracking with it).
        b.tracks_calls = dlsym(RTLD_DEFAULT, "Heap_get_info") != nullptr;
        for (const MQTTAsync_nameValue* info = MQTTAsync_getVersionInfo(); info && info->name;
             ++info) {
            if (std::strcmp(info->name, "Version") == 0 && info->value) b.version = info->value;
        }
        return b;
    }();
    return build;
}

}  // namespace switchboard
