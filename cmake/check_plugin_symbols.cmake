# Run after the mosquitto plugin links (cmake -P): the plugin compiles its
# own copy of part of core (SWITCHBOARD_PLUGIN_CORE_SOURCES, broker/), and a
# module links with its undefined symbols left open, so a core file missing
# from that list would only show when mosquitto loads the plugin. Every
# symbol the plugin leaves undefined must be the broker's (mosquitto_*), a
# shared library's (versioned, like OPENSSL_3.0.0 or GLIBC_2.34) or weak;
# anything else fails the build, names the symbol, and deletes the plugin so
# the next build checks again.
# In: NM, PLUGIN.
execute_process(COMMAND "${NM}" -D --undefined-only "${PLUGIN}"
                OUTPUT_VARIABLE listing RESULT_VARIABLE status ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
    file(REMOVE "${PLUGIN}")
    message(FATAL_ERROR "${NM} could not list ${PLUGIN}: ${errors}")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(missing "")
foreach(line IN LISTS lines)
    # "                 U name[@VERSION]": only strong undefined symbols.
    if(NOT line MATCHES "^ *U +([^ @]+)(@.*)?$")
        continue()
    endif()
    set(name "${CMAKE_MATCH_1}")
    # Kept before the MATCHES below, which resets CMAKE_MATCH_*.
    set(version "${CMAKE_MATCH_2}")
    if(version OR name MATCHES "^mosquitto_")
        continue()
    endif()
    list(APPEND missing "${name}")
endforeach()
if(missing)
    file(REMOVE "${PLUGIN}")
    execute_process(COMMAND c++filt ${missing} OUTPUT_VARIABLE demangled ERROR_QUIET)
    message(FATAL_ERROR
        "${PLUGIN} leaves these symbols undefined; mosquitto would refuse to load it. "
        "Add the core file that defines them to SWITCHBOARD_PLUGIN_CORE_SOURCES "
        "(broker/CMakeLists.txt):\n${demangled}")
endif()
