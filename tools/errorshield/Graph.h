//===--- Graph.h - The knowledge graph drawn ------------------------------*- C++ -*-===//

#ifndef ERRORSHIELD_TOOLS_GRAPH_H
#define ERRORSHIELD_TOOLS_GRAPH_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include <set>
#include <string>

namespace errorshield {

class CatalogView;

/// Graphviz DOT of patterns, consequences and their relations; \p Highlight ids are emphasised.
std::string graphDot(const CatalogView &Catalog, const std::set<std::string> &Highlight);

/// The DOT rendered by Graphviz's `dot -Tsvg` (found on PATH); an error says why it could not run.
llvm::Expected<std::string> graphSvg(const CatalogView &Catalog,
                                     const std::set<std::string> &Highlight);

/// {"nodes": [{id, kind: pattern|consequence, label, ...}], "edges": [{from, to, relation, kind}]}.
llvm::json::Value graphJson(const CatalogView &Catalog);

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_GRAPH_H
