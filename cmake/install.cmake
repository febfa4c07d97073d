# Install rules: headers, library, CMake package (find_package(rill)) and a
# pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS rill EXPORT rill-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(rill_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/rill)
install(EXPORT rill-targets NAMESPACE rill:: DESTINATION ${rill_cmake_dir})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/rill-config.cmake.in
  ${PROJECT_BINARY_DIR}/rill-config.cmake INSTALL_DESTINATION ${rill_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/rill-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/rill-config.cmake
  ${PROJECT_BINARY_DIR}/rill-config-version.cmake DESTINATION ${rill_cmake_dir})

# The .pc file finds the prefix relative to its own folder, so the installed
# tree can be moved (and installed with --prefix elsewhere).
file(RELATIVE_PATH RILL_PC_RELATIVE_PREFIX
  ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" RILL_PC_RELATIVE_PREFIX "${RILL_PC_RELATIVE_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/rill.pc.in ${PROJECT_BINARY_DIR}/rill.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/rill.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
