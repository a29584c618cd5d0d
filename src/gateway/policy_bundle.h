// PolicyBundle: the Cedar policies a gateway enforces, loaded from the
// `*.cedar` files of one directory (DIR/policies), with what the gateway
// needs to explain a decision.
//
//   StatusOr<PolicyBundle> b = PolicyBundle::Load(dir + "/policies");
//   cedar::Response r = b->authorizer().IsAuthorized(request, entities);
//   for (const std::string& id : r.reasons) b->ReasonOf(id);  // @reason text
//
// Policies are named by their @id annotation (which must be unique), or
// "<file>:policyN" in source order when they have none. `sha256` covers the
// files' names and bytes, so a policy load can be logged and checked.
//
// Immutable after Load; thread-safe.
#ifndef HAVEN_GATEWAY_POLICY_BUNDLE_H_
#define HAVEN_GATEWAY_POLICY_BUNDLE_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "cedar/authorizer.h"

namespace haven::gateway {

class PolicyBundle {
 public:
  // Every *.cedar file in `dir`, in name order. InvalidArgument names the
  // file, line and column of a parse error, or a duplicate @id.
  static StatusOr<PolicyBundle> Load(std::string_view dir);
  // From one text (for tests and the demo); `name` stands for the file.
  static StatusOr<PolicyBundle> FromText(std::string_view name,
                                         std::string_view text);

  const cedar::Authorizer& authorizer() const { return *authorizer_; }
  // The @reason annotation of policy `id`, or "".
  const std::string& ReasonOf(const std::string& id) const;
  bool IsSealed(const std::string& id) const;
  // Policy ids in load order.
  const std::vector<std::string>& ids() const { return ids_; }
  // Hex SHA-256 over "name\n<size>\n<bytes>" of each file in order.
  const std::string& sha256() const { return sha256_; }

 private:
  static StatusOr<PolicyBundle> FromFiles(
      const std::vector<std::pair<std::string, std::string>>& files);

  std::shared_ptr<const cedar::Authorizer> authorizer_;
  std::map<std::string, std::string, std::less<>> reasons_;
  std::map<std::string, bool, std::less<>> sealed_;
  std::vector<std::string> ids_;
  std::string sha256_;
};

}  // namespace haven::gateway

#endif  // HAVEN_GATEWAY_POLICY_BUNDLE_H_
