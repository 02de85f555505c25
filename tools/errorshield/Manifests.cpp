//===--- Manifests.cpp - Kubernetes manifests lint (ES-DEPLOY-001) --------===//
//
// Two passes over the objects of all files: the first learns which Services are WebSocket services
// (own ports, annotations or labels, or an Ingress annotation naming them), because an Ingress in
// one file routes to a Service declared in another; the second reports in file and document order.
//
//===----------------------------------------------------------------------===//

#include "Manifests.h"
#include "CatalogView.h"
#include "SourceFiles.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <map>
#include <optional>
#include <set>
#include <yaml-cpp/yaml.h>

namespace errorshield {
namespace {

using llvm::StringRef;
using ServiceKey = std::pair<std::string, std::string>; // namespace, name
constexpr llvm::StringLiteral PatternId = "ES-DEPLOY-001";

struct SourceFile {
  std::string Path, Text;
  std::vector<YAML::Node> Objects; // In document order, the items of a `kind: List` flattened.
};

/// Why a Service counts as WebSocket: named in the message, pointed at by the note.
struct Marker {
  std::string Short;
  Note At;
};

std::string scalar(const YAML::Node &N) { return N.IsScalar() ? N.Scalar() : std::string(); }

/// A missing key gives a null node, never yaml-cpp's invalid node (whose type queries throw), so
/// every node here is safe to ask and "absent" is IsNull(). Nodes are only copy-constructed here:
/// assigning to a yaml-cpp node writes through to the document.
YAML::Node get(const YAML::Node &N) { return N; }
template <typename... Keys> YAML::Node get(const YAML::Node &N, const char *Key, Keys... Rest) {
  const YAML::Node V = N.IsMap() ? N[Key] : YAML::Node();
  return V.IsDefined() ? get(V, Rest...) : YAML::Node();
}

/// The key/value pairs of a mapping and the items of a sequence; none for any other node.
std::vector<std::pair<YAML::Node, YAML::Node>> entries(const YAML::Node &N) {
  std::vector<std::pair<YAML::Node, YAML::Node>> Out;
  for (auto It = N.begin(); N.IsMap() && It != N.end(); ++It)
    Out.emplace_back(It->first, It->second);
  return Out;
}
std::vector<YAML::Node> items(const YAML::Node &N) {
  return N.IsSequence() ? std::vector<YAML::Node>(N.begin(), N.end()) : std::vector<YAML::Node>();
}

/// The key node of \p Key, for its position; a null node if absent.
YAML::Node keyNode(const YAML::Node &Map, StringRef Key) {
  for (auto &[K, V] : entries(Map))
    if (scalar(K) == Key)
      return K;
  return YAML::Node();
}

std::string namespaceOf(const YAML::Node &Obj) {
  std::string Ns = scalar(get(Obj, "metadata", "namespace"));
  return Ns.empty() ? "default" : Ns;
}

/// Annotation values such as nginx.org/websocket-services are comma-separated lists.
std::vector<std::string> splitList(StringRef Value) {
  std::vector<std::string> Out;
  for (StringRef Item : llvm::split(Value, ','))
    if (!Item.trim().empty())
      Out.push_back(Item.trim().str());
  return Out;
}

/// "ws", "ws-public" and "chat-websocket" name a WebSocket port; "news" does not.
bool portNameMatches(StringRef Name, const std::vector<std::string> &Names) {
  return llvm::any_of(Names, [&](StringRef W) {
    return Name.equals_insensitive(W) || Name.starts_with_insensitive((W + "-").str()) ||
           Name.ends_with_insensitive(("-" + W).str());
  });
}

/// "key=value" matches that value case-insensitively, also as one item of a comma-separated value
/// (ALB's target-group-attributes); "key" alone matches any value.
bool annotationMatches(StringRef Key, StringRef Value, StringRef Entry) {
  auto [K, V] = Entry.split('=');
  return Key == K.trim() && (!Entry.contains('=') || Value.trim().equals_insensitive(V.trim()) ||
                             llvm::is_contained(splitList(Value.lower()), V.trim().lower()));
}

struct Linter {
  const ManifestRules &Rules;
  Report &Out;
  Finding Proto;          // Check, PatternId and Level of every finding.
  std::string StickyHint; // " such as '<first StickyIngressAnnotations entry>'".
  std::vector<SourceFile> Files;
  /// WebSocket Services by namespace and name, with the file that says so: by their own manifest, or
  /// by an Ingress naming them. Overlays (dev/, prod/) often repeat a name, so lookups prefer the
  /// same file, then the same directory.
  std::map<ServiceKey, std::vector<std::pair<std::string, Marker>>> WebSocket;

  const Marker *webSocketMarker(const SourceFile &F, const ServiceKey &Key) const {
    auto It = WebSocket.find(Key);
    if (It == WebSocket.end() || It->second.empty())
      return nullptr;
    StringRef Dir = llvm::sys::path::parent_path(F.Path);
    for (const auto &[File, M] : It->second)
      if (File == F.Path)
        return &M;
    for (const auto &[File, M] : It->second)
      if (llvm::sys::path::parent_path(File) == Dir)
        return &M;
    return &It->second.front().second;
  }
  SourceFiles Sources; // Lines and excerpts exactly as the clang-tidy findings get them.

  SourcePoint point(const SourceFile &F, const YAML::Mark &M) const {
    return {F.Path, unsigned(M.line + 1), unsigned(M.column + 1)};
  }
  Marker marker(const SourceFile &F, const YAML::Node &At, std::string Short) const {
    return {Short, {point(F, At.Mark()), Short + " marks the service as WebSocket"}};
  }

  void load(const std::string &Path) {
    Unit &U = Out.Units.emplace_back();
    U.File = Path;
    try {
      auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false, /*RequiresNull=*/false);
      if (!Buffer)
        throw YAML::Exception(YAML::Mark::null_mark(), Buffer.getError().message());
      SourceFile F{Path, (*Buffer)->getBuffer().str(), {}};
      for (const YAML::Node &Doc : YAML::LoadAll(F.Text)) {
        // `kubectl get -o yaml` wraps the objects in a `kind: List` (the API in a ServiceList...).
        const YAML::Node Items = get(Doc, "items");
        const bool List = StringRef(scalar(get(Doc, "kind"))).ends_with("List");
        for (const YAML::Node &Obj : List ? items(Items) : std::vector<YAML::Node>{Doc})
          if (Obj.IsMap())
            learn(F, F.Objects.emplace_back(Obj));
      }
      Files.push_back(std::move(F));
    } catch (const YAML::Exception &E) {
      U.Analysed = false;
      const YAML::Mark &M = E.mark;
      U.Problem = Path +
                  (M.is_null() ? "" : llvm::formatv(":{0}:{1}", M.line + 1, M.column + 1).str()) +
                  ": " + E.msg;
    }
  }

  std::optional<Marker> ownMarker(const SourceFile &F, const YAML::Node &Svc) const {
    std::vector<std::string> Names{scalar(get(Svc, "metadata", "name"))}; // For name lists.
    for (const YAML::Node &Port : items(get(Svc, "spec", "ports")))
      for (const char *Field : {"name", "appProtocol"}) {
        const YAML::Node N = get(Port, Field);
        const std::string Value = scalar(N);
        // appProtocol may be prefixed ("kubernetes.io/ws"): its last segment is compared.
        if (!Value.empty() && portNameMatches(StringRef(Value).substr(Value.rfind('/') + 1),
                                              Rules.WebSocketPortNames))
          return marker(F, N, (Field[0] == 'n' ? "port '" : "appProtocol '") + Value + "'");
        if (Field[0] == 'n' && !Value.empty())
          Names.push_back(Value);
      }
    // A truthy annotation, or a list (nginx.org/websocket-services) naming the service or a port.
    for (auto &[K, V] : entries(get(Svc, "metadata", "annotations"))) {
      const std::string Value = scalar(V);
      const StringRef T = StringRef(Value).trim();
      if (llvm::is_contained(Rules.WebSocketAnnotations, scalar(K)) &&
          (T.equals_insensitive("true") || T.equals_insensitive("yes") || T == "1" ||
           llvm::any_of(splitList(T), [&](auto &S) { return llvm::is_contained(Names, S); })))
        return marker(F, K, "annotation '" + scalar(K) + ": " + Value + "'");
    }
    for (const YAML::Node &Labels : {get(Svc, "metadata", "labels"), get(Svc, "spec", "selector")})
      for (auto &[K, V] : entries(Labels))
        for (StringRef Entry : Rules.WebSocketLabels)
          if (scalar(K) == Entry.split('=').first &&
              StringRef(scalar(V)).equals_insensitive(Entry.split('=').second))
            return marker(F, K, "label '" + Entry.str() + "'");
    return std::nullopt;
  }

  Finding &report(const SourceFile &F, const YAML::Node &At, const std::string &Message) {
    Finding &Fd = Out.Findings.emplace_back(Proto);
    Fd.Message = Message + " [" + PatternId.str() + "]";
    Fd.Where = point(F, At.Mark());
    Fd.Offset = Sources.offset(F.Path, Fd.Where.Line, Fd.Where.Column);
    Fd.SourceLine = Sources.lineText(F.Path, Fd.Where.Line);
    Fd.Excerpt = Sources.excerpt(F.Path, Fd.Where.Line, 3, 2, Fd.ExcerptFirstLine);
    return Fd;
  }

  /// A fix only where the text is plain block style, the key alone at the start of its line after
  /// spaces: the `sessionAffinity` line (its value on the same line) is rewritten, or a line is
  /// inserted before the first key under `spec:`, indented like it. Flow style gets no fix.
  void addAffinityFix(Finding &Fd, const SourceFile &F, const YAML::Node &Spec,
                      const YAML::Node &AffinityKey) {
    const bool Replace = !AffinityKey.IsNull();
    if (!Spec.IsMap() || Spec.size() == 0)
      return;
    const YAML::Mark M = (Replace ? AffinityKey : Spec.begin()->first).Mark();
    const size_t LineStart = Sources.offset(F.Path, M.line + 1, 1);
    const StringRef Line = StringRef(F.Text).substr(LineStart).split('\n').first;
    if (M.is_null() || LineStart > F.Text.size() || !Line.take_front(M.column).ltrim(' ').empty() ||
        Line.size() <= size_t(M.column) || StringRef("{[-?#\"'").contains(Line[M.column]) ||
        (Replace && get(Spec, "sessionAffinity").Mark().line != M.line))
      return;
    Edit &E = Fd.Fixes.emplace_back();
    E.File = F.Path;
    E.Offset = unsigned(LineStart);
    E.Length = Replace ? unsigned(Line.rtrim('\r').size()) : 0;
    E.Start = E.End = {F.Path, unsigned(M.line + 1), 1};
    E.End.Column += E.Length;
    E.Replacement = Line.take_front(M.column).str() + "sessionAffinity: ClientIP" +
                    (Replace                ? ""
                     : Line.ends_with("\r") ? "\r\n"
                                            : "\n");
  }

  void lintService(const SourceFile &F, const YAML::Node &Svc) {
    const std::string Name = scalar(get(Svc, "metadata", "name"));
    const YAML::Node Spec = get(Svc, "spec");
    const std::string Affinity = scalar(get(Spec, "sessionAffinity"));
    // The Service's own marker, else an Ingress's naming it.
    std::optional<Marker> Own = ownMarker(F, Svc);
    const Marker *Why = Own ? &*Own : webSocketMarker(F, {namespaceOf(Svc), Name});
    // kube-proxy does not balance headless or ExternalName Services: affinity would not apply.
    if (!Why || StringRef(Affinity).equals_insensitive("ClientIP") ||
        scalar(get(Spec, "type")) == "ExternalName" || scalar(get(Spec, "clusterIP")) == "None")
      return;
    const YAML::Node AffinityKey = keyNode(Spec, "sessionAffinity");
    const std::string Problem = Affinity.empty()
                                    ? "without sessionAffinity: ClientIP"
                                    : "with sessionAffinity: " + Affinity + " instead of ClientIP";
    Finding &Fd = report(
        F, !AffinityKey.IsNull() ? AffinityKey : keyNode(Svc, Spec.IsNull() ? "kind" : "spec"),
        "service '" + Name + "' fronts a WebSocket workload (" + Why->Short + ") " + Problem +
            "; reconnects land on other replicas");
    Fd.Notes.push_back(Why->At);
    addAffinityFix(Fd, F, Spec, AffinityKey);
  }

  void lintIngress(const SourceFile &F, const YAML::Node &Ing) {
    for (auto &[K, V] : entries(get(Ing, "metadata", "annotations")))
      for (StringRef Entry : Rules.StickyIngressAnnotations)
        if (annotationMatches(scalar(K), scalar(V), Entry))
          return;
    // Backends in document order: `service.name` (networking.k8s.io/v1) or `serviceName`
    // (extensions/v1beta1), under `defaultBackend` / `backend` and each rule's paths.
    std::vector<YAML::Node> Backends;
    for (auto &[K, V] : entries(get(Ing, "spec"))) {
      if (scalar(K) == "defaultBackend" || scalar(K) == "backend")
        Backends.push_back(V);
      for (const YAML::Node &Rule : items(scalar(K) == "rules" ? V : YAML::Node()))
        for (const YAML::Node &Path : items(get(Rule, "http", "paths")))
          Backends.push_back(get(Path, "backend"));
    }
    std::set<std::string> Reported; // One finding per Service, at its first route.
    for (const YAML::Node &Backend : Backends) {
      const YAML::Node V1 = get(Backend, "service", "name");
      const YAML::Node N = V1.IsScalar() ? V1 : get(Backend, "serviceName");
      const Marker *Why = N.IsScalar() ? webSocketMarker(F, {namespaceOf(Ing), scalar(N)}) : nullptr;
      if (Why && Reported.insert(scalar(N)).second)
        report(F, N,
               "ingress '" + scalar(get(Ing, "metadata", "name")) +
                   "' routes to WebSocket service '" + scalar(N) +
                   "' without a sticky-session annotation" + StickyHint +
                   "; reconnects land on other replicas")
            .Notes.push_back(Why->At);
    }
  }

  /// Pass one, as files load: which Services are WebSocket, by their own manifest or an Ingress.
  void learn(const SourceFile &F, const YAML::Node &Obj) {
    const std::string Kind = scalar(get(Obj, "kind")), Ns = namespaceOf(Obj),
                      Name = scalar(get(Obj, "metadata", "name"));
    if (std::optional<Marker> M = Kind == "Service" ? ownMarker(F, Obj) : std::nullopt)
      WebSocket[{Ns, Name}].emplace_back(F.Path, *M);
    // On an Ingress the annotation's value lists Services of its namespace by name.
    const YAML::Node Annotations = get(Obj, "metadata", "annotations");
    for (auto &[K, V] : entries(Kind == "Ingress" ? Annotations : YAML::Node()))
      if (llvm::is_contained(Rules.WebSocketAnnotations, scalar(K)))
        for (const std::string &Svc : splitList(scalar(V)))
          WebSocket[{Ns, Svc}].emplace_back(
              F.Path, marker(F, K, "ingress '" + Name + "' annotation '" + scalar(K) + ": " +
                                       scalar(V) + "'"));
  }

  /// Pass two, once every file is loaded: report in file and document order.
  void run() {
    for (const SourceFile &F : Files)
      for (const YAML::Node &Obj : F.Objects) {
        if (scalar(get(Obj, "kind")) == "Service")
          lintService(F, Obj);
        else if (scalar(get(Obj, "kind")) == "Ingress")
          lintIngress(F, Obj);
      }
  }
};

} // namespace

ManifestRules ManifestRules::fromCatalog(const CatalogView &Catalog) {
  ManifestRules R;
  const PatternInfo *P = Catalog.byId(PatternId);
  const llvm::json::Object *Props = P && P->Raw ? P->Raw->getObject("properties") : nullptr;
  const llvm::json::Object *Options = Props ? Props->getObject("options") : nullptr;
  for (auto [Name, List] : {std::pair{"WebSocketPortNames", &R.WebSocketPortNames},
                            {"WebSocketAnnotations", &R.WebSocketAnnotations},
                            {"WebSocketLabels", &R.WebSocketLabels},
                            {"StickyIngressAnnotations", &R.StickyIngressAnnotations}})
    if (const llvm::json::Array *A = Options ? Options->getArray(Name) : nullptr)
      for (const llvm::json::Value &V : *A)
        if (std::optional<StringRef> S = V.getAsString())
          List->push_back(S->str());
  return R;
}

void lintManifests(const std::vector<std::string> &Paths, const ManifestRules &Rules,
                   const CatalogView &Catalog, Report &Out) {
  Linter L{Rules, Out, {}, {}, {}, {}, {}};
  const PatternInfo *P = Catalog.byId(PatternId);
  L.Proto.Check = P ? P->Check : "errorshield-k8s-ws-session-affinity";
  L.Proto.PatternId = PatternId.str();
  L.Proto.Level = P ? P->Level : "warning";
  if (!Rules.StickyIngressAnnotations.empty())
    L.StickyHint = " such as '" + Rules.StickyIngressAnnotations.front() + "'";
  for (const std::string &Path : Paths) {
    std::vector<std::string> Found{Path};
    std::error_code EC;
    if (llvm::sys::fs::is_directory(Path)) {
      Found.clear();
      for (llvm::sys::fs::recursive_directory_iterator It(Path, EC), End; It != End && !EC;
           It.increment(EC)) {
        StringRef Ext = llvm::sys::path::extension(It->path());
        if ((Ext.equals_insensitive(".yaml") || Ext.equals_insensitive(".yml")) &&
            llvm::sys::fs::is_regular_file(It->path()))
          Found.push_back(It->path());
      }
      llvm::sort(Found); // Directory order differs between file systems; reports must not.
    }
    for (const std::string &File : Found)
      L.load(File);
  }
  L.run();
}

} // namespace errorshield
