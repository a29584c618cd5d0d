// The Cedar entities the policies see, built from the directory and the
// records schemas (policies/welcoming-city/schema.cedarschema):
//
//   User::"id"        {name, roles, department, agency, network?}
//                     in its Agency and its groups (TaskForce)
//   Agency::"ORI"     {name, jurisdiction, department, component}
//                     in Department::"<department>", and in
//                     Sharing::"criminal-justice-partners" with an agreement
//   TaskForce::"id"   {name, lead} in its lead Agency
//   Department, Sharing, Dataset::"<name>", Field::"<name>" in
//   FieldClass::"protected" or ::"ordinary", Ledger::"audit", and the
//   actions search, read-record, read-field, read-ledger.
//
// A task force is a child of its lead agency, so a member of a DHS-led task
// force is `in Department::"DHS"`: the DHS ban reaches through it.
//
// Pure; thread-safe.
#ifndef HAVEN_GATEWAY_ENTITIES_H_
#define HAVEN_GATEWAY_ENTITIES_H_

#include "base/status.h"
#include "cedar/entities.h"
#include "directory/directory.h"

namespace haven::gateway {

StatusOr<cedar::EntityStore> BuildEntityStore(
    const directory::Snapshot& snapshot);

}  // namespace haven::gateway

#endif  // HAVEN_GATEWAY_ENTITIES_H_
