//===--- Manifests.h - Kubernetes manifests lint (ES-DEPLOY-001) ----------*- C++ -*-===//
//
// WebSocket sessions break when a Kubernetes Service or Ingress spreads one client's connections over
// several replicas. This lint reads Kubernetes YAML (yaml-cpp) and reports, as findings of pattern
// ES-DEPLOY-001, a Service fronting a WebSocket workload without `sessionAffinity: ClientIP` and an
// Ingress routing to such a Service without a sticky-session annotation. Its name lists come from the
// catalog entry's options, like a check's.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_TOOLS_MANIFESTS_H
#define ERRORSHIELD_TOOLS_MANIFESTS_H

#include "Finding.h"
#include <string>
#include <vector>

namespace errorshield {

class CatalogView;

struct ManifestRules {
  std::vector<std::string> WebSocketPortNames;       ///< Service port names (case-insensitive).
  std::vector<std::string> WebSocketAnnotations;     ///< Annotation keys; value must be truthy or name a port/service.
  std::vector<std::string> WebSocketLabels;          ///< "key=value" labels marking a WebSocket workload.
  std::vector<std::string> StickyIngressAnnotations; ///< "key=value" or "key" (any value).

  /// The lists of the catalog's ES-DEPLOY-001 options.
  static ManifestRules fromCatalog(const CatalogView &Catalog);
};

/// Lints every *.yaml / *.yml file named in \p Paths or found under a named directory (recursively,
/// sorted). Multi-document files are supported. Appends one Unit per file (Analysed=false with the
/// yaml-cpp error for a file that does not parse) and one Finding per problem to \p Out.
void lintManifests(const std::vector<std::string> &Paths, const ManifestRules &Rules,
                   const CatalogView &Catalog, Report &Out);

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_MANIFESTS_H
