# What `cmake --install` puts where, and the .deb (CPack) made of it. See docs/install.md.
include(GNUInstallDirs)

# Man pages and completion scripts come from the built binary (`flyte __man`,
# `flyte completion`), so they say exactly what its --help says.
set(FLYTE_DOCS_DIR ${CMAKE_BINARY_DIR}/share)
add_custom_command(
  OUTPUT ${FLYTE_DOCS_DIR}/man1/flyte.1 ${FLYTE_DOCS_DIR}/completions/flyte.bash
         ${FLYTE_DOCS_DIR}/completions/_flyte ${FLYTE_DOCS_DIR}/completions/flyte.fish
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${FLYTE_DOCS_DIR}/man1
  # (In a sanitizer build the leak check is for the tests, not for this build step.)
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 $<TARGET_FILE:flyte> __man ${FLYTE_DOCS_DIR}/man1
  COMMAND ${CMAKE_COMMAND} -E make_directory ${FLYTE_DOCS_DIR}/completions
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 sh -c "$0 completion bash > $1/flyte.bash && $0 completion zsh > $1/_flyte && $0 completion fish > $1/flyte.fish"
          $<TARGET_FILE:flyte> ${FLYTE_DOCS_DIR}/completions
  DEPENDS flyte
  COMMENT "Writing the man pages and shell completions"
  VERBATIM)
add_custom_target(flyte_docs ALL DEPENDS ${FLYTE_DOCS_DIR}/man1/flyte.1)

install(TARGETS flyte RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${FLYTE_DOCS_DIR}/man1/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${FLYTE_DOCS_DIR}/completions/flyte.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME flyte)
install(FILES ${FLYTE_DOCS_DIR}/completions/_flyte DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
install(FILES ${FLYTE_DOCS_DIR}/completions/flyte.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES README.md LICENSE docs/install.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES config/server.yaml examples/hello.yaml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
# The systemd unit names the installed binary, whose folder is known only at install time
# (cmake --install --prefix, or CPack's /usr).
install(CODE "
  configure_file(${CMAKE_SOURCE_DIR}/packaging/flyte.service.in ${CMAKE_BINARY_DIR}/flyte.service @ONLY)
  file(INSTALL ${CMAKE_BINARY_DIR}/flyte.service DESTINATION \${CMAKE_INSTALL_PREFIX}/lib/systemd/system)")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME flyte)
set(CPACK_PACKAGE_VENDOR "The flyte authors")
set(CPACK_PACKAGE_CONTACT "The flyte authors <flyte@users.noreply.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Flyte's workflow model in one executable")
set(CPACK_PACKAGE_DESCRIPTION
  "flyte runs typed tasks, workflows and launch plans from a YAML file, locally in\n"
  "milliseconds (flyte run) or as a server with an admin API and a web console\n"
  "(flyte serve, with the systemd unit flyte.service). Every run is recorded in a\n"
  "local SQLite store.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://flyte.org")
# The run-time libraries, as dpkg-shlibdeps reads them from the binary; tasks are shell
# scripts, so a shell (essential in Debian) is all else they need.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
include(CPack)
