// Compiles: the bridge may use core (the control for the probes below).
#include "core/router.hpp"
