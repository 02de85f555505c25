# `cmake --install` lays ErrorShield out like a Debian package; CPack turns the same layout into a
# .deb (cpack --config build/CPackConfig.cmake -G DEB).
#   bin/errorshield                          the runner
#   bin/errorshield-clangd                   clangd 22 with the checks inside
#   lib/errorshield/libErrorShield.so        the plugin: clang-tidy-22 --load <this>
#   share/errorshield/catalog.json           the bundled knowledge graph
#   share/doc/errorshield/{README.md,docs/}  the docs the reports link to
include(GNUInstallDirs)
install(TARGETS errorshield errorshield-clangd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ErrorShield LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/errorshield)
install(FILES ${ES_GENERATED_DIR}/catalog.json DESTINATION ${CMAKE_INSTALL_DATADIR}/errorshield)
# Not CMAKE_INSTALL_DOCDIR: that is named after the project (ErrorShield), Debian names it after the package.
set(ES_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/errorshield)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${ES_DOC_DIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs DESTINATION ${ES_DOC_DIR})

set(CPACK_PACKAGE_NAME errorshield)
set(CPACK_PACKAGE_VENDOR ErrorShield)
set(CPACK_PACKAGE_CONTACT "ErrorShield maintainers <maintainers@errorshield.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "clang-tidy checks, gating runner and reports for real-time C++ (WebSocket) servers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The plugin only loads into the exact clang-tidy it was built against (it refuses others).
math(EXPR ES_NEXT_PATCH "${LLVM_VERSION_PATCH} + 1")
set(ES_NEXT_LLVM "${LLVM_VERSION_MAJOR}.${LLVM_VERSION_MINOR}.${ES_NEXT_PATCH}")
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "clang-tidy-22 (>= 1:${LLVM_PACKAGE_VERSION}), clang-tidy-22 (<< 1:${ES_NEXT_LLVM}), libclang-cpp22, libllvm22, libyaml-cpp0.7")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "graphviz")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
include(CPack)
