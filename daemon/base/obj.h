/* obj.h - the tag at the start of everything lws hands back to us as
 * opaque user data on the local protocol, so one callback can tell a
 * listener from a signal fd from a shim connection. */
#ifndef JALIEND_OBJ_H
#define JALIEND_OBJ_H

enum jd_obj_kind { JD_OBJ_LISTENER = 1, JD_OBJ_SIGNAL, JD_OBJ_CLIENT };

struct jd_obj {
	enum jd_obj_kind kind;
};

#endif
