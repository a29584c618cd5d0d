#!/usr/bin/env bash
# End-to-end checks of `haven ledger ...` (exit codes: 0 ok, 1 a check
# failed, 2 bad input). HAVEN_LEDGER_CLI is the binary to run.
set -u
CLI=${HAVEN_LEDGER_CLI:?set HAVEN_LEDGER_CLI}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() {  # check DESCRIPTION WANT_STATUS command...
  local what=$1 want=$2
  shift 2
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [[ $got != "$want" ]]; then
    echo "FAIL: $what: exit $got, want $want"; cat "$T/out" "$T/err"; fails=$((fails + 1))
  fi
}
expect() {  # expect DESCRIPTION ACTUAL WANTED
  if [[ "$2" != "$3" ]]; then
    echo "FAIL: $1: got [$2], want [$3]"; fails=$((fails + 1))
  fi
}
L="$T/ledger"

check "init" 0 "$CLI" ledger init "$L" --origin haven.test/cli
vkey=$(cat "$T/out")
expect "init prints the vkey file" "$vkey" "$(cat "$L/ledger.vkey")"
[[ $vkey == haven.test/cli+????????+* ]] || { echo "FAIL: vkey form: $vkey"; fails=$((fails + 1)); }
expect "private key mode" "$(stat -c %a "$L/ledger.key")" "600"
check "init twice is refused" 2 "$CLI" ledger init "$L" --origin haven.test/cli
check "origin with a space is refused" 2 "$CLI" ledger init "$T/x" --origin "a b"

check "checkpoint of an empty ledger" 2 "$CLI" ledger checkpoint "$L"
printf 'alpha\nbeta\n\ngamma' >"$T/in"
check "append" 0 "$CLI" ledger append "$L" <"$T/in"
expect "append prints the last index" "$(cat "$T/out")" "3"
check "append nothing" 0 "$CLI" ledger append "$L" </dev/null
expect "appending nothing prints nothing" "$(cat "$T/out")" ""
printf 'delta\n' >"$T/in"
check "append more" 0 "$CLI" ledger append "$L" <"$T/in"
expect "indices continue" "$(cat "$T/out")" "4"

check "entries" 0 "$CLI" ledger entries "$L" --from 0
expect "entries are the lines, empty one included" "$(cat "$T/out")" "$(printf 'alpha\nbeta\n\ngamma\ndelta')"
check "entries range" 0 "$CLI" ledger entries "$L" --from 1 --to 2
expect "entries [1,2)" "$(cat "$T/out")" "beta"
check "entries past the end" 2 "$CLI" ledger entries "$L" --from 0 --to 6
check "entries with a negative index" 2 "$CLI" ledger entries "$L" --from -1

# Closing the ledger after an append signs the new size, so a proof is
# available at once.
check "prove right after append" 0 "$CLI" ledger prove "$L" --index 0
check "checkpoint" 0 "$CLI" ledger checkpoint "$L"
cp "$T/out" "$T/cp5"
expect "checkpoint body" "$(head -2 "$T/cp5")" "$(printf 'haven.test/cli\n5')"
check "checkpoint again" 0 "$CLI" ledger checkpoint "$L"
expect "no second checkpoint for one size" "$(cat "$T/out")" "$(cat "$T/cp5")"

check "prove" 0 "$CLI" ledger prove "$L" --index 2
expect "tlog-proof header" "$(head -2 "$T/out")" "$(printf 'c2sp.org/tlog-proof@v1\nindex 2')"
expect "tlog-proof ends with the checkpoint" "$(tail -c "$(wc -c <"$T/cp5")" "$T/out")" "$(cat "$T/cp5")"
check "prove past the checkpoint" 2 "$CLI" ledger prove "$L" --index 5
check "prove with a bad index" 2 "$CLI" ledger prove "$L" --index x

printf 'epsilon\nzeta\n' | "$CLI" ledger append "$L" >/dev/null
check "checkpoint at 7" 0 "$CLI" ledger checkpoint "$L"
check "consistency to the latest checkpoint" 0 "$CLI" ledger consistency "$L" --from 5
n=$(wc -l <"$T/out")
[[ $n -ge 1 ]] || { echo "FAIL: empty consistency proof"; fails=$((fails + 1)); }
grep -qvE '^[A-Za-z0-9+/]{43}=$' "$T/out" && { echo "FAIL: not one base64 hash a line"; fails=$((fails + 1)); }
check "consistency between equal sizes" 0 "$CLI" ledger consistency "$L" --from 7 --to 7
expect "is empty" "$(cat "$T/out")" ""
check "consistency from 0" 2 "$CLI" ledger consistency "$L" --from 0
check "consistency backwards" 2 "$CLI" ledger consistency "$L" --from 6 --to 5
check "consistency past the end" 2 "$CLI" ledger consistency "$L" --from 1 --to 8

check "verify" 0 "$CLI" ledger verify "$L"
[[ $(cat "$T/out") == "ok: 7 entries"* ]] || { echo "FAIL: verify summary: $(cat "$T/out")"; fails=$((fails + 1)); }
cp "$L/ledger.vkey" "$T/auditor.vkey"
check "verify with kept checkpoint and key" 0 "$CLI" ledger verify "$L" --vkey "$T/auditor.vkey" --checkpoint "$T/cp5"
check "verify with two kept checkpoints" 0 "$CLI" ledger verify "$L" --checkpoint "$T/cp5" --checkpoint "$T/cp5"

# Another ledger's key, and another ledger's checkpoint: a failed check.
"$CLI" ledger init "$T/other" --origin haven.test/cli >/dev/null
printf 'x\n' | "$CLI" ledger append "$T/other" >/dev/null
"$CLI" ledger checkpoint "$T/other" >"$T/othercp"
check "verify with someone else's key" 1 "$CLI" ledger verify "$L" --vkey "$T/other/ledger.vkey"
check "verify with someone else's checkpoint" 1 "$CLI" ledger verify "$L" --checkpoint "$T/othercp"
check "verify with a missing checkpoint file" 2 "$CLI" ledger verify "$L" --checkpoint "$T/nope"
check "verify a missing ledger" 2 "$CLI" ledger verify "$T/nope"

# Damage: an entry's byte flipped -> exit 1 naming entry, file and offset.
seg="$L/00000000000000000000.seg"
printf 'X' | dd of="$seg" bs=1 seek=$((32 + 8 + 1)) conv=notrunc status=none
check "verify a damaged ledger" 1 "$CLI" ledger verify "$L" --vkey "$T/auditor.vkey" --checkpoint "$T/cp5"
grep -q "entry 0 at $seg offset 32" "$T/out" || { echo "FAIL: verify did not name the damage: $(cat "$T/out")"; fails=$((fails + 1)); }
check "opening a damaged ledger fails" 1 "$CLI" ledger append "$L" </dev/null

check "no subcommand" 2 "$CLI" ledger
check "missing DIR" 2 "$CLI" ledger verify

if [[ $fails -ne 0 ]]; then echo "$fails check(s) failed"; exit 1; fi
echo "cli: all checks passed"
