// Must not compile: the bridge reaches the WebSocket side only through core.
#include "websocket_session.hpp"
