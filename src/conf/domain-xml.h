/* Domain XML: reading libvirt's domain XML into a DomainDef and writing
 * a DomainDef back as canonical XML.
 *
 * Reading is strict: anything outside the supported subset (see
 * docs/domain-xml.md) is an error naming the element path relative to
 * <domain> and its line, for example
 *   unsupported element <devices/hostdev> at line 42
 *   unsupported attribute 'foo' of <devices/disk/driver> at line 12
 * Malformed XML is an error with the line and column. The document is
 * read by GMarkup (markup-tree.h): UTF-8, no entity but the predefined
 * ones, nothing fetched; DTDs are rejected, and so are documents over
 * DOMAIN_XML_MAX_SIZE bytes.
 *
 * The usual sequence is domain_def_new_from_xml(), which parses, fills
 * defaults and addresses (domain-defaults.h) and validates
 * (domain-validate.h). Writing is domain_def_format_xml(); for every
 * DomainDef d that came out of parsing (with or without defaults),
 * parsing domain_def_format_xml(d) gives a definition equal to d.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "conf/conf-error.h"
#include "conf/domain.h"

G_BEGIN_DECLS

/** Documents larger than this many bytes are rejected unread. */
#define DOMAIN_XML_MAX_SIZE (10u * 1024u * 1024u)

/** The namespace of <qemu:commandline>, whatever its prefix. */
#define DOMAIN_XML_QEMU_NAMESPACE "http://libvirt.org/schemas/domain/qemu/1.0"

/**
 * domain_def_parse_xml:
 * @xml: the document, in UTF-8;
 *   need not be NUL-terminated
 * @len: its length in bytes
 * @error: return location for a QVIRT_CONF_ERROR
 *
 * Parses @xml and checks the syntax and range of every value. It fills
 * no defaults and checks no relation between values: see
 * domain_def_new_from_xml() for the whole sequence.
 *
 * Returns: (transfer full) (nullable): the definition, or NULL with
 *   @error set to the first problem in document order.
 */
DomainDef *domain_def_parse_xml (const char *xml, gsize len, GError **error);

/**
 * domain_def_parse_xml_report:
 * @xml: the document
 * @len: its length in bytes
 * @problems: a GPtrArray from domain_problems_new(), appended to
 *
 * Like domain_def_parse_xml(), but goes on after a problem to find the
 * others: an element with a problem is left out of the result.
 *
 * Returns: (transfer full) (nullable): what could be parsed (possibly
 *   incomplete when problems were added), or NULL when the document is
 *   not well-formed XML or its root is not <domain>.
 */
DomainDef *domain_def_parse_xml_report (const char *xml, gsize len,
                                        GPtrArray *problems);

/**
 * domain_def_new_from_xml:
 * @xml: the document
 * @len: its length in bytes
 * @error: return location for a QVIRT_CONF_ERROR
 *
 * Parses @xml, fills defaults and addresses, and validates the result:
 * what a driver does with a definition it is asked to define or start.
 *
 * Returns: (transfer full) (nullable): the complete definition, or NULL
 *   with @error set to the first problem.
 */
DomainDef *domain_def_new_from_xml (const char *xml, gsize len,
                                    GError **error);

/**
 * domain_def_load_xml:
 * @xml: a NUL-terminated document
 * @error: return location for a QVIRT_CONF_ERROR
 *
 * domain_def_new_from_xml() for a NUL-terminated string.
 */
DomainDef *domain_def_load_xml (const char *xml, GError **error);

/**
 * domain_def_check_xml:
 * @xml: the document
 * @len: its length in bytes
 *
 * Finds every problem of @xml: parsing, defaults and addresses, and
 * validation (what `qvirt validate FILE` prints).
 *
 * Returns: (transfer full): a GPtrArray of DomainProblem, empty when the
 *   document is fine.
 */
GPtrArray *domain_def_check_xml (const char *xml, gsize len);

/**
 * domain_def_format_xml:
 * @def: a definition
 *
 * Writes @def as canonical XML: two-space indentation, single-quoted
 * attributes, elements in libvirt's order, sizes in KiB.
 *
 * Returns: (transfer full): the NUL-terminated document.
 */
char *domain_def_format_xml (const DomainDef *def);

/**
 * domain_def_copy:
 * @def: a definition that came out of parsing (with or without defaults)
 *
 * Makes a deep copy by formatting and parsing, so that it cannot miss a
 * field. Code that changes a parsed definition must keep its values
 * valid: a value parsing refuses (a name with '/', say) makes this abort
 * with g_error(), as the programming error it is.
 *
 * Returns: (transfer full): the copy, equal to @def.
 */
DomainDef *domain_def_copy (const DomainDef *def);

G_END_DECLS
