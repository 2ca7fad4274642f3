/* xrdstats.h - the XML answer of an XRootD "query stats" as alien.py 1.6.3's
 * xrd_stats prints it: xmltodict's dict (attributes as keys, repeated
 * elements as lists, text beside elements as "#text") reshaped by alien.py
 * (the <stats id=X> elements merged into one "stats" object keyed by id),
 * printed as Python's json.dumps (indent 2 with ", " / ": ", or compact) with
 * its escaped quotes removed; or minidom's toprettyxml of it (-xml). Pure
 * text work (no I/O), so it is unit-testable and safe on the loop. */
#ifndef JALIEND_XRDSTATS_H
#define JALIEND_XRDSTATS_H

#include <stddef.h>

#define XRDSTATS_DEPTH_MAX 32	  /* element nesting refused past this */
#define XRDSTATS_NODES_MAX 100000 /* elements, attributes and texts of one answer */

/* The JSON text (malloc'ed, no trailing newline) of the stats in xml, with
 * seName/endpointUrl added and an unset site replaced by se_name; NULL with
 * errno EINVAL (not the XML of query stats) or ENOMEM. */
char *xrdstats_json(const char *xml, const char *se_name, const char *endpoint, int compact);
/* minidom's toprettyxml(indent="  ") of xml (compact: no indent, no newlines),
 * `&quot;` shown as `"`, as alien.py prints -xml; NULL with errno EINVAL/ENOMEM. */
char *xrdstats_prettyxml(const char *xml, int compact);

#endif
