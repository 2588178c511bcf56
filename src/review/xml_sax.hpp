#pragma once
// The one way the XML readers (EndNote/PubMed XML, the parts of an .xlsx workbook) run libxml2:
// a SAX2 push parser whose handler declares, loads and expands nothing. Internal to review.

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <algorithm>
#include <cstddef>
#include <new>
#include <string_view>

namespace metasift::review::detail {

/// The SAX2 handler with only the element, text and error callbacks set. Everything else
/// (internalSubset, entityDecl, getEntity, resolveEntity, ...) stays null: declarations are
/// dropped and no entity is ever looked up, loaded or expanded.
inline xmlSAXHandler quiet_sax2(startElementNsSAX2Func on_start, endElementNsSAX2Func on_end, charactersSAXFunc on_text,
                                xmlStructuredErrorFunc on_error) {
  xmlSAXHandler sax{};
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = on_start;
  sax.endElementNs = on_end;
  sax.characters = on_text;
  sax.cdataBlock = on_text;
  sax.serror = on_error;
  return sax;
}

/// Feeds `text` to a push parser in 64 KiB chunks until the end or until `stopped` turns true (a
/// handler stops the parser through `ctxt`, which points to the context while the parse runs and
/// is null afterwards). `options` are libxml2's XML_PARSE_* flags; `utf8` forces the input to be
/// read as UTF-8 whatever the document declares. `filename` may be null.
inline void sax_push_parse(xmlSAXHandler& sax, void* user, std::string_view text, const char* filename, int options,
                           bool utf8, xmlParserCtxtPtr& ctxt, const bool& stopped) {
  ctxt = xmlCreatePushParserCtxt(&sax, user, nullptr, 0, filename);
  if (ctxt == nullptr) throw std::bad_alloc();
  struct freer {
    xmlParserCtxtPtr& c;
    ~freer() {
      // libxml2 builds a stand-in document to hold entity declarations even when the SAX handler
      // ignores them; the context does not own it, so it is freed here.
      if (c->myDoc != nullptr) xmlFreeDoc(c->myDoc);
      c->myDoc = nullptr;
      xmlFreeParserCtxt(c);
      c = nullptr;
    }
  } const guard{ctxt};
  xmlCtxtUseOptions(ctxt, options);
  if (utf8) xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
  constexpr std::size_t chunk = 1U << 16;
  for (std::size_t p = 0; p < text.size() && !stopped; p += chunk) {
    const std::size_t n = std::min(chunk, text.size() - p);
    xmlParseChunk(ctxt, text.data() + p, static_cast<int>(n), 0);
  }
  if (!stopped) xmlParseChunk(ctxt, nullptr, 0, 1);
}

}  // namespace metasift::review::detail
