// Must not compile: the simulator's client library reaches only core.
#include "websocket_session.hpp"
