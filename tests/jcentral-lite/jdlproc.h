/* jdlproc.h - the JDL as JCentral stores it after submit (TaskQueueUtils.prepareJDLForSubmission
 * and JDL.sortContent), shown by `ps -jdl`: Executable resolved, User, JDLPath, Price (float,
 * at least 1), TTL (default 21600), Type = "Job", OrigRequirements, CPUCores (a string, default
 * "1"), MemorySize (default 8 GB per core), JDLVariables (+ "CPUCores", unset ones dropped),
 * Requirements rebuilt as ( orig ) && ( member(other.Packages,"p") ) && ( other.TTL > ttl ) &&
 * ( other.Price <= price ); keys in JCentral's preferred order, then the others as written.
 * Measured format: one `Key = value;` per line, lists as {\n"a",\n"b"\n}, text ends with "\n".
 * Not done: the InputFile/InputData site requirements. Caps: JDLPROC_MAX_KEYS keys.
 */
#ifndef JCL_JDLPROC_H
#define JCL_JDLPROC_H

#include <stddef.h>

#define JDLPROC_MAX_KEYS 256

/* Returns the malloc'd processed JDL, or NULL (out of memory / too many keys). */
char *jdlproc_process(const char *jdl, const char *user, const char *exe_lfn, const char *jdl_path);

#endif
