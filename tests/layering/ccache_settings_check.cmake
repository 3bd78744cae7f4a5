# Fails unless the CCACHE_* variables of this process (given it as the
# layering probes are) are the ones BUILD_SCRIPT (scripts/build.sh) exports,
# with its "$PWD" as SOURCE_DIR: the probes' ccache settings cannot drift
# from the main build's.
file(STRINGS ${BUILD_SCRIPT} exports REGEX "^export CCACHE_")
string(REGEX MATCHALL "CCACHE_[A-Z_]+=[^ ]+" settings "${exports}")
if(NOT settings)
    message(FATAL_ERROR "${BUILD_SCRIPT} exports no CCACHE_ setting")
endif()
foreach(setting IN LISTS settings)
    string(REGEX MATCH "^[A-Z_]+" name "${setting}")
    string(REGEX REPLACE "^[A-Z_]+=" "" value "${setting}")
    string(REPLACE "\"$PWD\"" "${SOURCE_DIR}" value "${value}")
    if(NOT "$ENV{${name}}" STREQUAL "${value}")
        message(FATAL_ERROR "the layering probes run with ${name}='$ENV{${name}}'; "
                            "scripts/build.sh exports ${name}=${value} (tests/layering/CMakeLists.txt)")
    endif()
    list(APPEND checked "${name}=${value}")
endforeach()
message(STATUS "the layering probes use scripts/build.sh's ${checked}")
