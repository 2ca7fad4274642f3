# install-links.cmake - run by `cmake --install` (and cpack), never at configure time.
#
# In: JALIEND_LINK_NAMES (the verbs), JALIEND_LINK_DIRS (folders, relative to
# the install prefix, or absolute); optional JALIEND_LINK_TARGET (default
# alien), JALIEND_LINK_SEPS (default "-;_"), JALIEND_LINK_SUFFIX (default none).
# Makes <dir>/alien<sep><verb><suffix>, each a symbolic link to the relative
# name <target> in the same folder (which must be installed already), under
# $ENV{DESTDIR}${CMAKE_INSTALL_PREFIX} as they are at install time, and lists
# them in the install manifest. A link that cannot be made stops the install
# with its path. The inputs are unset after use.
if(NOT DEFINED JALIEND_LINK_TARGET)
  set(JALIEND_LINK_TARGET alien)
endif()
if(NOT DEFINED JALIEND_LINK_SEPS)
  set(JALIEND_LINK_SEPS - _)
endif()
foreach(dir IN LISTS JALIEND_LINK_DIRS)
  if(NOT IS_ABSOLUTE "${dir}")
    set(dir "${CMAKE_INSTALL_PREFIX}/${dir}")
  endif()
  set(dest "$ENV{DESTDIR}${dir}")
  if(NOT EXISTS "${dest}/${JALIEND_LINK_TARGET}")
    message(FATAL_ERROR "install-links: ${dest}/${JALIEND_LINK_TARGET} is not installed")
  endif()
  set(n 0)
  foreach(verb IN LISTS JALIEND_LINK_NAMES)
    foreach(sep IN LISTS JALIEND_LINK_SEPS)
      set(link "${dest}/alien${sep}${verb}${JALIEND_LINK_SUFFIX}")
      if(IS_SYMLINK "${link}" OR EXISTS "${link}")
        file(REMOVE "${link}")
      endif()
      file(CREATE_LINK "${JALIEND_LINK_TARGET}" "${link}" RESULT res SYMBOLIC)
      if(NOT res EQUAL 0)
        message(FATAL_ERROR "install-links: cannot make ${link}: ${res}")
      endif()
      list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${dir}/alien${sep}${verb}${JALIEND_LINK_SUFFIX}")
      math(EXPR n "${n} + 1")
    endforeach()
  endforeach()
  set(what links)
  if(n EQUAL 1)
    set(what link)
  endif()
  message(STATUS "Installing: ${n} ${what} to ${JALIEND_LINK_TARGET} in ${dest}")
endforeach()
unset(JALIEND_LINK_NAMES)
unset(JALIEND_LINK_DIRS)
unset(JALIEND_LINK_TARGET)
unset(JALIEND_LINK_SEPS)
unset(JALIEND_LINK_SUFFIX)
