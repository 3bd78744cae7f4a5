#include "paho_build.hpp"

#include <MQTTAsync.h>
#include <dlfcn.h>

#include <cstring>

namespace switchboard {

paho_build loaded_paho_build() noexcept {
    paho_build build;
    // Paho exports Heap_get_info only from a build with heap tracking
    // (Heap.c is left out under PAHO_HIGH_PERFORMANCE, call tracking with it).
    build.tracks_calls = dlsym(RTLD_DEFAULT, "Heap_get_info") != nullptr;
    for (const MQTTAsync_nameValue* info = MQTTAsync_getVersionInfo(); info && info->name; ++info) {
        if (std::strcmp(info->name, "Version") == 0 && info->value) {
            try {
                build.version = info->value;
            } catch (...) {
                build.version.clear();  // out of memory: the version stays unnamed
            }
        }
    }
    return build;
}

}  // namespace switchboard
