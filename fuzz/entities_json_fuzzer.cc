// Fuzzes the entities JSON reader and the entity store's closure: any input
// must parse or fail cleanly; whatever parses must build (or fail on a
// duplicate uid) and round-trip through the writer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cedar/entities.h"
#include "cedar/entities_json.h"

using namespace haven::cedar;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  Result<std::vector<Entity>> list = ReadEntitiesJson(json);
  if (!list.ok()) return 0;
  std::string w = WriteEntitiesJson(*list);
  Result<std::vector<Entity>> again = ReadEntitiesJson(w);
  if (!again.ok() || WriteEntitiesJson(*again) != w) std::abort();
  Result<EntityStore> store = EntityStore::Build(std::move(*list));
  if (store.ok()) {
    for (const Entity& e : store->entities())
      for (const EntityUid& p : e.parents)
        if (!store->In(e.uid, p)) std::abort();
  }
  return 0;
}
