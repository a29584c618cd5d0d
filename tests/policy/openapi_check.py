#!/usr/bin/env python3
"""Checks docs/openapi.yaml: it parses (YAML, no duplicate keys), is OpenAPI
3.1, has the gateway's paths and methods with the right security, every $ref
resolves, and the error codes, purposes and datasets are the API's.

If the `jsonschema` module is there, also validates every example against its
schema and checks that bodies the API refuses (unknown field, missing filter,
limit out of range, wrong type, ...) fail the request schema.

Usage: openapi_check.py docs/openapi.yaml
Prints the failures, then "N passed, N failed".
"""
import sys

import yaml

passed = 0
failed = 0


def check(name, ok, detail=None):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + name + ("" if detail is None else ": " + str(detail)))


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a mapping with a repeated key."""


def _mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "duplicate key %r" % (key,), key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def main(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=StrictLoader)
    except (OSError, yaml.YAMLError) as e:
        check("the document parses", False, e)
        return
    check("the document parses", isinstance(doc, dict))
    check("OpenAPI 3.1", str(doc.get("openapi", "")).startswith("3.1."),
          doc.get("openapi"))
    info = doc.get("info", {})
    check("info has title and version", bool(info.get("title"))
          and bool(info.get("version")))

    schemes = doc.get("components", {}).get("securitySchemes", {})
    bearer = [n for n, s in schemes.items()
              if s.get("type") == "http" and s.get("scheme") == "bearer"]
    check("a bearer security scheme", len(bearer) == 1, schemes)
    check("bearer is the default",
          doc.get("security") == [{bearer[0]: []}] if bearer else False,
          doc.get("security"))

    # path, method -> public (no token)?
    expected = {
        ("/v1/search", "post"): False,
        ("/v1/records/{dataset}/{id}", "get"): False,
        ("/v1/ledger/checkpoint", "get"): True,
        ("/v1/ledger/proof/{index}", "get"): True,
        ("/v1/ledger/entries", "get"): False,
        ("/healthz", "get"): True,
        ("/metrics", "get"): True,
    }
    paths = doc.get("paths", {})
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    found = {(p, m) for p, item in paths.items() for m in item if m in methods}
    check("exactly the gateway's paths and methods",
          found == set(expected), sorted(found ^ set(expected)))
    for (p, m), public in expected.items():
        op = paths.get(p, {}).get(m)
        if op is None:
            continue
        check(p + " " + m + (" is public" if public else " needs a token"),
              (op.get("security") == []) == public, op.get("security"))
        check(p + " " + m + " answers 200", "200" in op.get("responses", {}))
        declared = {q["name"] for q in op.get("parameters", [])
                    if q.get("in") == "path"}
        in_template = {s[1:-1] for s in p.split("/") if s.startswith("{")}
        check(p + " declares its path parameters", declared == in_template,
              (declared, in_template))
        if not public:
            for status in ("401", "403", "429", "503"):
                check(p + " " + m + " documents " + status,
                      status in op.get("responses", {}))

    records = paths.get("/v1/records/{dataset}/{id}", {}).get("get", {})
    names = {q["name"] for q in records.get("parameters", [])}
    check("record reads take the justification and warrant parameters",
          names >= {"purpose", "case_number", "reason", "warrant_kind",
                    "warrant_court", "warrant_judge", "warrant_number"},
          names)
    check("record reads answer 404", "404" in records.get("responses", {}))
    entries = paths.get("/v1/ledger/entries", {}).get("get", {})
    check("ledger entries take from and to",
          {q["name"] for q in entries.get("parameters", [])} == {"from", "to"})

    # Every $ref resolves inside the document.
    refs = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref" and isinstance(v, str):
                    refs.append(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)

    def resolve(ref):
        if not ref.startswith("#/"):
            return None
        node = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    check("the document uses $refs", len(refs) > 10, len(refs))
    for ref in sorted(set(refs)):
        check("$ref " + ref + " resolves", resolve(ref) is not None)

    schemas = doc.get("components", {}).get("schemas", {})
    codes = set(schemas.get("ErrorCode", {}).get("enum", []))
    check("the error codes", codes >= {
        "bad_request", "invalid_json", "duplicate_key", "unknown_field",
        "wrong_type", "missing_field", "invalid_filter", "unauthenticated",
        "forbidden", "not_found", "method_not_allowed", "body_too_large",
        "header_too_large", "rate_limited", "unavailable"}, codes)
    err = schemas.get("Error", {}).get("properties", {})
    check("errors carry policies, reasons and the audit index",
          set(err.get("error", {}).get("properties", {})) >=
          {"code", "message", "policies", "reasons"} and "audit" in err)
    check("the purposes", schemas.get("Purpose", {}).get("enum") == [
        "criminal-investigation", "warrant-service", "missing-person",
        "officer-safety", "civil-immigration"])
    check("the datasets", schemas.get("Dataset", {}).get("enum") == [
        "persons", "incidents", "vehicles", "plate_reads", "warrants"])
    limit = schemas.get("SearchCommon", {}).get("properties", {}).get(
        "limit", {})
    check("limit is 1..500, default 100", (limit.get("minimum"),
          limit.get("maximum"), limit.get("default")) == (1, 500, 100), limit)
    for name in ("SearchResponse", "RecordResponse", "LedgerEntries"):
        check(name + " carries the audit index",
              "audit" in schemas.get(name, {}).get("required", []))
    check("at most 1000 entries a call",
          schemas.get("LedgerEntries", {}).get("properties", {}).get(
              "entries", {}).get("maxItems") == 1000)

    validate_examples(doc)


def validate_examples(doc):
    try:
        import jsonschema
    except ImportError:
        print("note: python3 jsonschema is not installed; examples not "
              "validated")
        return

    def validator(ref):
        root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": ref, "components": doc["components"]}
        return jsonschema.Draft202012Validator(root)

    def errors(ref, value):
        return [e.message for e in validator(ref).iter_errors(value)]

    n = 0
    for p, item in doc["paths"].items():
        for m, op in item.items():
            body = op.get("requestBody", {}).get("content", {}).get(
                "application/json", {})
            for name, ex in body.get("examples", {}).items():
                n += 1
                check("request example %s %s %s" % (m, p, name),
                      not errors(body["schema"]["$ref"], ex["value"]),
                      errors(body["schema"]["$ref"], ex["value"]))
            for status, resp in op.get("responses", {}).items():
                if "$ref" in resp:
                    resp = doc["components"]["responses"][
                        resp["$ref"].split("/")[-1]]
                media = resp.get("content", {}).get("application/json")
                if not media or "example" not in media:
                    continue
                n += 1
                ref = media["schema"]["$ref"]
                check("response example %s %s %s" % (m, p, status),
                      not errors(ref, media["example"]),
                      errors(ref, media["example"]))
    check("examples were validated", n >= 8, n)

    good = {"dataset": "persons", "filter": {"last_name": "LOPEZ"},
            "purpose": "criminal-investigation", "case_number": "JB-1"}
    check("a minimal search is valid",
          not errors("#/components/schemas/SearchRequest", good),
          errors("#/components/schemas/SearchRequest", good))
    refused = {
        "an unknown member": dict(good, extra=1),
        "an unknown filter": dict(good, filter={"last_name": "A", "eyes": "B"}),
        "no last_name": dict(good, filter={"first_name": "A"}),
        "a bad dob": dict(good, filter={"last_name": "A", "dob": "12/4/1990"}),
        "no purpose": {k: v for k, v in good.items() if k != "purpose"},
        "no case number": {k: v for k, v in good.items()
                           if k != "case_number"},
        "an empty case number": dict(good, case_number=""),
        "an unknown purpose": dict(good, purpose="curiosity"),
        "limit 0": dict(good, limit=0),
        "limit 501": dict(good, limit=501),
        "a string limit": dict(good, limit="10"),
        "an unknown dataset": dict(good, dataset="taxes"),
        "incidents by beat without dates": {
            **good, "dataset": "incidents", "filter": {"beat": "0713"}},
        "incidents by case number and beat": {
            **good, "dataset": "incidents",
            "filter": {"case_number": "JB1", "beat": "0713",
                       "date_from": "2024-01-01", "date_to": "2024-01-02"}},
        "a plate search without plate": {
            **good, "dataset": "plate_reads", "filter": {}},
        "a warrant without kind": dict(good, warrant={"court": "X"}),
        "a warrant with an unknown member": dict(
            good, warrant={"kind": "judicial", "seal": "X"}),
    }
    for name, body in refused.items():
        check("the request schema refuses " + name,
              bool(errors("#/components/schemas/SearchRequest", body)))
    accepted = {
        "incidents by beat": {**good, "dataset": "incidents", "filter": {
            "beat": "0713", "date_from": "2024-01-01",
            "date_to": "2024-01-31"}},
        "a judicial warrant": dict(good, purpose="warrant-service", warrant={
            "kind": "judicial", "court": "C", "judge": "J", "number": "N"}),
        "vehicles by plate": {**good, "dataset": "vehicles",
                              "filter": {"plate": "ABC1234"}, "limit": 500},
    }
    for name, body in accepted.items():
        check("the request schema accepts " + name,
              not errors("#/components/schemas/SearchRequest", body),
              errors("#/components/schemas/SearchRequest", body))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: openapi_check.py OPENAPI_YAML")
        sys.exit(2)
    main(sys.argv[1])
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if failed == 0 and passed > 0 else 1)
