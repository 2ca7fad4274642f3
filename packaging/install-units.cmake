# install-units.cmake - run by `cmake --install` (and cpack), never at configure time.
#
# In: JALIEND_UNITS_IN (unit templates; a trailing .in is dropped from the name),
# JALIEND_UNITS_DIR, JALIEND_UNITS_BINDIR, JALIEND_UNITS_DOCDIR (each relative
# to the install prefix, or absolute). Writes each unit with @BINDIR@ and
# @DOCDIR@ replaced by the absolute installed folders, as they are for the
# prefix given at install time, into $ENV{DESTDIR}<unit folder>; lists them in
# the install manifest.
foreach(v DIR BINDIR DOCDIR)
  set(d "${JALIEND_UNITS_${v}}")
  if(NOT IS_ABSOLUTE "${d}")
    set(d "${CMAKE_INSTALL_PREFIX}/${d}")
  endif()
  set(${v} "${d}")
endforeach()
foreach(in IN LISTS JALIEND_UNITS_IN)
  get_filename_component(name "${in}" NAME)
  string(REGEX REPLACE "\\.in$" "" name "${name}")
  set(out "$ENV{DESTDIR}${DIR}/${name}")
  message(STATUS "Installing: ${out}")
  configure_file("${in}" "${out}" @ONLY)
  file(CHMOD "${out}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${DIR}/${name}")
endforeach()
