#!/usr/bin/env bash
# End-to-end checks of `haven import incidents|vehicles` and `haven
# generate`: the Chicago samples import, a bad row is reported with its line
# and nothing of that file is stored, --skip-bad-rows imports the rest.
#   HAVEN=path/to/haven SAMPLES=../shared/data/chicago bash import_cli_test.sh
set -uo pipefail
haven=${HAVEN:?set HAVEN to the haven binary}
samples=${SAMPLES:?set SAMPLES to the Chicago samples directory}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$tmp/data
pass=0
fail=0
check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
run() {
  "$haven" "$@" > "$tmp/out" 2> "$tmp/err"
  status=$?
}

run import incidents "$samples/crimes_2014_sample.csv" --data "$data"
check "the crimes sample imports" test $status -eq 0
check "all 1500 rows" grep -q '^imported 1500 of 1500 rows' "$tmp/out"

run import incidents "$samples/crimes_2014_sample.csv" --data "$data"
check "importing it again changes nothing" grep -q '^imported 0 of 1500 rows.*1500 already present' "$tmp/out"

# The towed-vehicles sample holds one conflicting row (inventory number
# 2827930 twice, at two facilities): all or nothing refuses the file...
run import vehicles "$samples/towed_vehicles_2017.csv" --data "$data"
check "a conflicting row fails the import" test $status -eq 2
check "the message names the line" grep -q 'line 5112' "$tmp/err"
run import vehicles "$samples/towed_vehicles_2017.csv" --data "$data" --skip-bad-rows
check "--skip-bad-rows imports the rest" test $status -eq 0
check "5843 vehicles" grep -q '^imported 5843 ' "$tmp/out"
check "the skipped row is listed" grep -q 'line 5112' "$tmp/err"

# A bad date on line 3: nothing of the file is stored.
head -1 "$samples/crimes_2014_sample.csv" > "$tmp/bad.csv"
printf '%s\n' \
  '90000001,ZZ000001,03/15/2014 12:00:00 AM,055XX S ADA ST,0820,THEFT,$500 AND UNDER,OTHER,false,false,0713,,16,67,06,,,2014,04/11/2014 12:40:05 AM,,,' \
  '90000002,ZZ000002,13/45/2014 12:00:00 AM,055XX S ADA ST,0820,THEFT,$500 AND UNDER,OTHER,false,false,0713,,16,67,06,,,2014,04/11/2014 12:40:05 AM,,,' \
  >> "$tmp/bad.csv"
run import incidents "$tmp/bad.csv" --data "$data"
check "a bad date exits 2" test $status -eq 2
check "the message names file, line and column" grep -q 'bad.csv line 3: column Date' "$tmp/err"
run import incidents "$tmp/bad.csv" --data "$data" --skip-bad-rows
check "after the failed import, the good row is still new" grep -q '^imported 1 of 2 rows' "$tmp/out"

run import incidents "$tmp/missing.csv" --data "$data"
check "a missing file exits 2" test $status -eq 2
check "and is named" grep -q 'missing.csv' "$tmp/err"

run generate --data "$data" --persons 50 --plate-reads 200 --warrants 10
check "generate works" test $status -eq 0
run generate --data "$data" --persons 50 --plate-reads 200 --warrants 10
check "generating twice is refused" test $status -ne 0

echo "$pass passed, $fail failed"
test $fail -eq 0
