#!/usr/bin/env bash
# End-to-end checks of `haven cedar authorize|check|format`:
# output shape, exit statuses, and error messages that name the place.
#   cedar_cli_test.sh HAVEN REPO_ROOT
set -uo pipefail
haven=$1
root=$2
pack=$root/policies/welcoming-city
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}

req() {  # req USER ACTION RTYPE RID PURPOSE CASE REASON
  printf '{"principal":{"type":"User","id":"%s"},"action":{"type":"Action","id":"%s"},"resource":{"type":"%s","id":"%s"},"context":{"purpose":"%s","case_number":"%s","reason":"%s","flags":[],"client_ip":{"__extn":{"fn":"ip","arg":"10.1.2.3"}}}}\n' "$@"
}

{
  req cpd.detective search Dataset persons criminal-investigation JB-1 robbery
  req ice.officer search Dataset persons criminal-investigation X-1 robbery
  req cook.deputy search Dataset plate_reads criminal-investigation C-1 "assist ICE ERO"
  req fbi.agent read-field Field nationality criminal-investigation F-1 robbery
  req fbi.agent search Dataset persons criminal-investigation F-1 robbery
} > "$tmp/requests.jsonl"

"$haven" cedar authorize --policies "$pack/policies.cedar" \
  --entities "$pack/demo-entities.json" --requests "$tmp/requests.jsonl" \
  > "$tmp/out.jsonl" 2> "$tmp/err"
status=$?
check "authorize exits 0" test $status -eq 0
check "authorize prints one line per request" test "$(wc -l < "$tmp/out.jsonl")" -eq 5
line() { sed -n "$1p" "$tmp/out.jsonl"; }
check "CPD detective is allowed" grep -q '"decision":"allow"' <(line 1)
check "ICE is denied" grep -q '"decision":"deny"' <(line 2)
check "ICE denial names its policies" grep -q '"reasons":\["policy0","policy1"\]' <(line 2)
check "proxy lookup is denied" grep -q '"decision":"deny"' <(line 3)
check "nationality is withheld from the FBI" grep -q '"decision":"deny"' <(line 4)
check "FBI search is allowed" grep -q '"decision":"allow"' <(line 5)
check "answers have the three keys" grep -qE '^\{"decision":"(allow|deny)","reasons":\[[^]]*\],"errors":\[[^]]*\]\}$' <(line 1)

# The same decisions from the JSON form of the policies.
"$haven" cedar format "$pack/policies.cedar" --to json > "$tmp/policies.json"
check "format --to json exits 0" test $? -eq 0
"$haven" cedar authorize --policies "$tmp/policies.json" --policies-format json \
  --entities "$pack/demo-entities.json" --requests "$tmp/requests.jsonl" > "$tmp/out2.jsonl"
check "JSON policies decide the same" cmp -s "$tmp/out.jsonl" "$tmp/out2.jsonl"
"$haven" cedar format "$tmp/policies.json" --to cedar > "$tmp/back.cedar"
"$haven" cedar authorize --policies "$tmp/back.cedar" \
  --entities "$pack/demo-entities.json" --requests "$tmp/requests.jsonl" > "$tmp/out3.jsonl"
check "text -> JSON -> text decides the same" cmp -s "$tmp/out.jsonl" "$tmp/out3.jsonl"

# Bad input: exit 2 and a message that says where.
printf 'permit(principal, action, resource)\nwhen { 1 + };\n' > "$tmp/bad.cedar"
"$haven" cedar authorize --policies "$tmp/bad.cedar" --requests "$tmp/requests.jsonl" > /dev/null 2> "$tmp/err"
check "bad policies exit 2" test $? -eq 2
check "bad policies error names line 2" grep -q 'line 2' "$tmp/err"
"$haven" cedar check "$tmp/bad.cedar" > /dev/null 2> "$tmp/err"
check "check of bad policies exits 1" test $? -eq 1
check "check names the file and line" grep -q "bad.cedar: line 2" "$tmp/err"
"$haven" cedar check "$pack/policies.cedar" > "$tmp/ok"
check "check of the pack exits 0" test $? -eq 0
printf '%s\n' "$(head -1 "$tmp/requests.jsonl")" '{"principal":{"type":"User","id":"x"},"action":' > "$tmp/badreq.jsonl"
"$haven" cedar authorize --policies "$pack/policies.cedar" --requests "$tmp/badreq.jsonl" > "$tmp/out" 2> "$tmp/err"
check "bad request line exits 2" test $? -eq 2
check "bad request error names line 2" grep -q 'line 2' "$tmp/err"
check "requests before the bad line are answered" test "$(wc -l < "$tmp/out")" -eq 1
echo '[{"uid":{"type":"User","id":"a"},"attrs":{"n":9223372036854775808},"parents":[]}]' > "$tmp/bad-entities.json"
"$haven" cedar authorize --policies "$pack/policies.cedar" --entities "$tmp/bad-entities.json" --requests "$tmp/requests.jsonl" > /dev/null 2> "$tmp/err"
check "out-of-range integer in entities exits 2" test $? -eq 2
"$haven" cedar authorize --policies "$tmp/missing.cedar" --requests "$tmp/requests.jsonl" > /dev/null 2> "$tmp/err"
check "missing file exits 2" test $? -eq 2
check "missing file is named" grep -q 'missing.cedar' "$tmp/err"

echo "$pass passed, $fail failed"
test $fail -eq 0
