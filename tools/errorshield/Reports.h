//===--- Reports.h - The report formats -----------------------------------*- C++ -*-===//
//
// Each format reads only the Report model (Finding.h) and the catalog, so a report built from a
// merged or baselined SARIF file looks exactly like one built straight from a scan.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_TOOLS_REPORTS_H
#define ERRORSHIELD_TOOLS_REPORTS_H

#include "Finding.h"
#include "llvm/Support/raw_ostream.h"

namespace errorshield {

class CatalogView;

/// clang-style diagnostics ("file:line:col: warning: message [check]", source line, caret, notes)
/// followed by a one-line summary.
void writeText(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS);

/// The findings and units as plain JSON (schema: docs/runner.md).
void writeJson(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS);

/// SARIF 2.1.0 with tool.driver.rules generated from the catalog.
void writeSarif(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS);

/// A Markdown summary sized for a pull-request comment.
void writeMarkdown(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS);

/// A self-contained HTML page: summary per pattern and severity, each finding with its excerpt,
/// the catalog's explanation, BAD/GOOD and fix, docs links, and the knowledge graph as inline SVG.
void writeHtml(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS);

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_REPORTS_H
