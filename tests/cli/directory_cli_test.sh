#!/usr/bin/env bash
# End-to-end checks of `haven agency|group|user|token`: changes land in
# DIR/directory.db, bad input exits 2 naming the flag, and every change
# becomes one ledger entry — recorded by the command itself, or left pending
# while another process (a server) holds the ledger.
#   HAVEN=path/to/haven bash directory_cli_test.sh
set -uo pipefail
haven=${HAVEN:?set HAVEN to the haven binary}
tmp=$(mktemp -d)
holder=
cleanup() {
  if [[ -n $holder ]]; then kill "$holder" 2> /dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
data=$tmp/data
export USER=tester
unset SUDO_USER
pass=0
fail=0

check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}

# run ARGS...: runs haven; sets $status, $out (stdout) and $err (stderr).
run() {
  "$haven" "$@" > "$tmp/out" 2> "$tmp/err"
  status=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

has() { grep -qF -- "$2" <<< "$1"; }  # has TEXT NEEDLE
not() { ! "$@"; }
quiet() { "$@" > /dev/null; }

# expect_bad NAME NEEDLE ARGS...: exit 2 and NEEDLE on stderr.
expect_bad() {
  local name=$1 needle=$2
  shift 2
  run "$@"
  check "$name exits 2" test "$status" -eq 2
  check "$name says '$needle'" has "$err" "$needle"
  if [[ $status -ne 2 ]] || ! has "$err" "$needle"; then echo "  stderr: $err"; fi
}

entries() { "$haven" ledger entries "$data/ledger" --from 0; }

# --- Without a ledger, the entry stays pending. ---
run agency add --data "$data" --ori ILCPD0000 --name "Chicago Police Department" \
  --jurisdiction local --department CITY --component CPD --sharing \
  --network 10.20.0.0/16
check "agency add exits 0" test "$status" -eq 0
check "agency add says no ledger" has "$err" "no ledger at $data/ledger"
check "the database is created" test -f "$data/directory.db"

"$haven" ledger init "$data/ledger" --origin test > /dev/null
check "ledger init exits 0" test $? -eq 0

# --- Changes, each recorded at once (with what was pending). ---
run agency add --data "$data" --ori DCICE0000 --name "ICE ERO" \
  --jurisdiction federal --department DHS --component ICE
check "second agency add exits 0" test "$status" -eq 0
check "pending and new changes are recorded" has "$err" "recorded 2 directory changes"
run agency add --data "$data" --ori IL0000000 --name "Illinois State Police" \
  --jurisdiction state --department STATE --component ISP --sharing
check "third agency add exits 0" test "$status" -eq 0
run group add --data "$data" --id hsi-chicago-gang-tf --name "HSI gang task force" \
  --lead DCICE0000 --actor alice
check "group add exits 0" test "$status" -eq 0
run user add --data "$data" --id cpd.detective --agency ILCPD0000 \
  --name "A. Detective" --role officer --role analyst
check "user add exits 0" test "$status" -eq 0
run user add --data "$data" --id taskforce.officer --agency ILCPD0000 \
  --name "T. Officer" --role officer --group hsi-chicago-gang-tf
check "user add with a group exits 0" test "$status" -eq 0

run token issue --data "$data" --user cpd.detective --ttl-days 30
check "token issue exits 0" test "$status" -eq 0
secret=$out
check "token issue prints the secret alone" grep -qE '^hvn_[0-9a-f]{64}$' <<< "$secret"
check "token issue prints one line" test "$(wc -l < "$tmp/out")" -eq 1
check "token issue names the token on stderr" \
  grep -qE '^token tok_[0-9a-f]{16} for cpd.detective expires [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$tmp/err"
token_id=$(grep -oE 'tok_[0-9a-f]{16}' "$tmp/err" | head -1)

run token list --data "$data" --user cpd.detective
check "token list shows the token as active" has "$out" "$token_id	cpd.detective"
check "token list says active" has "$out" "active"
check "token list never shows the secret" not has "$out" "${secret#hvn_}"
run token revoke --data "$data" "$token_id"
check "token revoke exits 0" test "$status" -eq 0
run token list --data "$data" --json
check "token list --json shows it revoked" grep -qE '"active":false,.*"revoked":"[0-9]{4}-' <<< "$out"
run token revoke --data "$data" "$token_id"
check "revoking twice is OK" test "$status" -eq 0

# --- Lists. ---
run agency list --data "$data"
check "agency list has three lines" test "$(wc -l < "$tmp/out")" -eq 3
check "agency list shows the network" has "$out" "ILCPD0000	local	CITY/CPD	sharing	10.20.0.0/16	Chicago Police Department"
run agency list --data "$data" --json
check "agency list --json is one line" test "$(wc -l < "$tmp/out")" -eq 1
check "agency list --json has sorted keys" has "$out" '{"component":"ICE","created":'
if command -v python3 > /dev/null; then
  check "agency list --json parses" python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 3' < "$tmp/out"
fi
run agency show --data "$data" ILCPD0000
check "agency show exits 0" test "$status" -eq 0
check "agency show lists its users" has "$out" "users         2"
check "agency show names the detective" has "$out" "cpd.detective	officer,analyst"
check "agency show names the task-force member" has "$out" "taskforce.officer	officer	hsi-chicago-gang-tf"
run group list --data "$data"
check "group list shows the lead" has "$out" "hsi-chicago-gang-tf	DCICE0000	HSI gang task force"
run user list --data "$data" --agency DCICE0000
check "user list of ICE is empty" test -z "$out"
run user list --data "$data" --json
check "user list --json has both users" test "$(grep -o '"id":' <<< "$out" | wc -l)" -eq 2

# --- Bad input: exit 2, naming the flag. ---
expect_bad "a short ORI" '--ori: must be 9 characters A-Z or 0-9, not "ILCPD"' \
  agency add --data "$data" --ori ILCPD --name X --jurisdiction local \
  --department CITY --component X
expect_bad "an unknown jurisdiction" '--jurisdiction: must be local, state or federal' \
  agency add --data "$data" --ori ILXXX0000 --name X --jurisdiction county \
  --department CITY --component X
expect_bad "a network with host bits" '--network: address has bits set beyond the /8 prefix' \
  agency add --data "$data" --ori ILXXX0000 --name X --jurisdiction local \
  --department CITY --component X --network 10.1.0.0/8
expect_bad "a duplicate agency" 'agency "ILCPD0000" already exists' \
  agency add --data "$data" --ori ILCPD0000 --name X --jurisdiction local \
  --department CITY --component X
expect_bad "an unknown agency" '--agency: no agency "NOPE00000"' \
  user add --data "$data" --id someone --agency NOPE00000 --name X
expect_bad "an unknown role" '--role: "sheriff" is not a role' \
  user add --data "$data" --id someone --agency ILCPD0000 --name X --role sheriff
expect_bad "an unknown group" '--group: no group "nope"' \
  user add --data "$data" --id someone --agency ILCPD0000 --name X --group nope
expect_bad "a bad user id" '--id: must be 1 to 64 of a-z' \
  user add --data "$data" --id "Some One" --agency ILCPD0000 --name X
expect_bad "a token for nobody" '--user: no user "nobody"' \
  token issue --data "$data" --user nobody
check "token issue prints no secret on failure" test ! -s "$tmp/out"
expect_bad "a zero ttl" '--ttl-days: must be 1 to 3660, not 0' \
  token issue --data "$data" --user cpd.detective --ttl-days 0
expect_bad "an unknown token" 'no token "tok_0000000000000000"' \
  token revoke --data "$data" tok_0000000000000000
expect_bad "a malformed token id" 'must be "tok_" and 16 hex characters' \
  token revoke --data "$data" hvn_123
expect_bad "showing an unknown agency" 'no agency "NOPE00000"' \
  agency show --data "$data" NOPE00000
expect_bad "a missing --data" '--data' agency list

# --- The ledger holds one entry per change, and never a secret. ---
check "ledger verify passes" quiet "$haven" ledger verify "$data/ledger"
entries > "$tmp/entries"
check "the ledger holds the 8 changes" test "$(wc -l < "$tmp/entries")" -eq 8
check "every entry is a directory change" test "$(grep -c '"kind":"directory"' "$tmp/entries")" -eq 8
check "the first entry is the first agency" grep -q '"ori":"ILCPD0000".*"change":"agency.add"' <(sed -n 1p "$tmp/entries")
check "entries name the actor from \$USER" grep -q '"actor":"tester","agency"' <(sed -n 1p "$tmp/entries")
check "--actor is recorded" grep -q '^{"actor":"alice","change":"group.add"' <(sed -n 4p "$tmp/entries")
check "the issue is recorded" grep -q "\"change\":\"token.issue\".*\"id\":\"$token_id\",\"user\":\"cpd.detective\"" <(sed -n 7p "$tmp/entries")
check "the revocation is recorded once" test "$(grep -c "\"change\":\"token.revoke\".*$token_id" "$tmp/entries")" -eq 1
check "no entry holds the secret" not grep -qF "${secret#hvn_}" "$tmp/entries"
check "the database does not hold the secret" not grep -qaF "${secret#hvn_}" "$data"/directory.db*

# --- While another process holds the ledger, entries stay pending. ---
# The holder is `haven ledger append` reading a pipe (fd 3) that stays open
# until we close it; it opens the ledger, and so takes its lock (flock on
# DIR/LOCK), before it reads. Wait until the kernel lists that lock as the
# holder's in /proc/locks, or the holder is gone: up to 180 s, since a
# sanitizer build on a loaded machine once needed more than 60. Probing by
# opening the ledger would race with the holder for the same lock.
exec 3> >(exec "$haven" ledger append "$data/ledger" > /dev/null 2> "$tmp/holder.err")
holder=$!
lock_inode=$(stat -c %i "$data/ledger/LOCK")
held=0
deadline=$((SECONDS + 180))
while ((SECONDS < deadline)); do
  if awk -v pid="$holder" -v ino="$lock_inode" \
       '$2 == "FLOCK" && $5 == pid && $6 ~ (":" ino "$") { found = 1 }
        END { exit !found }' /proc/locks; then
    held=1
    break
  fi
  kill -0 "$holder" 2> /dev/null || break
  sleep 0.1
done
check "another process holds the ledger" test "$held" -eq 1
if [[ $held -ne 1 ]]; then
  echo "  holder alive: $(kill -0 "$holder" 2> /dev/null && echo yes || echo no)"
  echo "  holder stderr: $(cat "$tmp/holder.err")"
  echo "  file system of $tmp: $(stat -f -c %T "$tmp")"
else
  run ledger entries "$data/ledger" --from 0
  check "a reader is refused while it is held" test "$status" -ne 0
  check "the refusal says why" has "$err" "open in another process"
fi
run user add --data "$data" --id isp.trooper --agency IL0000000 --name "I. Trooper" --role officer
check "a change while the ledger is held exits 0" test "$status" -eq 0
check "it says the running server records it" has "$err" "the running server"
exec 3>&-
wait "$holder"
holder=
check "the held ledger did not grow" test "$(entries | wc -l)" -eq 8
run token issue --data "$data" --user isp.trooper
check "the next change exits 0" test "$status" -eq 0
check "the next change records the pending one too" has "$err" "recorded 2 directory changes"
entries > "$tmp/entries"
check "the ledger holds all 10 changes" test "$(wc -l < "$tmp/entries")" -eq 10
check "the pending change is entry 9" grep -q '"change":"user.add".*"id":"isp.trooper"' <(sed -n 9p "$tmp/entries")
check "ledger verify still passes" quiet "$haven" ledger verify "$data/ledger"

echo "directory_cli: $pass passed, $fail failed"
test "$fail" -eq 0
