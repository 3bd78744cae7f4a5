# What `cmake --install` puts where, and the Debian package CPack builds from
# it (scripts/package.sh; docs/operations.md). Paths follow GNUInstallDirs:
# with CMAKE_INSTALL_PREFIX=/usr (the package) the binaries go to /usr/bin,
# the dashboard to /usr/share/switchboard/dashboard, the configs to
# /etc/switchboard and the mosquitto plugin to /usr/lib/switchboard.

install(TARGETS switchboard switchboard-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The gateway serves this folder when its config names no dashboard_dir
# (SWITCHBOARD_INSTALL_DASHBOARD_DIR, compiled into build_info.hpp).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/dashboard/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/switchboard/dashboard
        PATTERN package.json EXCLUDE)

# The installed switchboard.json is the repository's with an admin.socket
# in the unit's RuntimeDirectory (for `systemctl reload`, which runs
# `switchboard reload`) and a store.path in the unit's StateDirectory (queued
# commands survive a restart) in place of its dashboard_dir (which points
# into the clone), so the installed dashboard default holds.
file(READ ${PROJECT_SOURCE_DIR}/config/switchboard.json local_config)
string(REGEX REPLACE "\n *\"dashboard_dir\"[^\n]*"
       "\n  // Where `switchboard reload` (the unit's ExecReload) reaches the gateway.\n  \"admin\": {\"socket\": \"/run/switchboard/admin.sock\"},\n  // Queued commands (ttl_ms) survive a restart here (docs/operations.md).\n  \"store\": {\"path\": \"/var/lib/switchboard/commands.db\"},"
       installed_config "${local_config}")
if(installed_config STREQUAL local_config)
    message(FATAL_ERROR "config/switchboard.json has no dashboard_dir line to replace")
endif()
file(WRITE ${PROJECT_BINARY_DIR}/packaging/switchboard.json "${installed_config}")
install(FILES ${PROJECT_BINARY_DIR}/packaging/switchboard.json
              ${PROJECT_SOURCE_DIR}/config/switchboard.production.json
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/switchboard)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/switchboard.service
        DESTINATION lib/systemd/system)
# /run/switchboard (admin.socket's folder) at boot; postinst makes it at once.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/switchboard.tmpfiles
        DESTINATION lib/tmpfiles.d RENAME switchboard.conf)
if(SWITCHBOARD_WITH_MQTT)
    # The broker plugin (bridge/mosquitto_auth) in a folder of its own, with
    # a mosquitto config snippet loading it (docs/operations.md).
    set(SWITCHBOARD_INSTALL_PLUGIN_DIR "${CMAKE_INSTALL_PREFIX}/lib/switchboard")
    install(TARGETS switchboard_mosquitto_auth LIBRARY DESTINATION lib/switchboard)
    configure_file(${PROJECT_SOURCE_DIR}/packaging/mosquitto-switchboard.conf.in
                   ${PROJECT_BINARY_DIR}/packaging/mosquitto-switchboard.conf @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/packaging/mosquitto-switchboard.conf
            DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/configuration.md
              ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/docs/security.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME switchboard)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Switchboard maintainers <switchboard@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "IoT messaging gateway: WebSocket clients bridged to MQTT")
# One string: separate arguments would be joined with ';' into the control file.
set(CPACK_PACKAGE_DESCRIPTION
    "Routes commands, responses and events between devices and controllers over WebSocket, \
bridged to an MQTT broker; serves a web dashboard. Runs as the systemd unit switchboard.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # switchboard_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Library dependencies come from dpkg-shlibdeps; adduser is for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# The broker plugin is for a mosquitto on the same host.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mosquitto")
# postinst makes the user; conffiles keeps an operator's edits over upgrades.
configure_file(${PROJECT_SOURCE_DIR}/packaging/conffiles.in
               ${PROJECT_BINARY_DIR}/packaging/conffiles @ONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/postinst
    ${PROJECT_SOURCE_DIR}/packaging/prerm
    ${PROJECT_BINARY_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
