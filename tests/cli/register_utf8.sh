#!/usr/bin/env bash
# Invalid UTF-8 in dcc's input files (issue 9, item 16). What broke: `dcc register` aborted
# (SIGABRT, uncaught nlohmann type_error 316) on a TSV cell with invalid UTF-8, 45 of
# 2,000 fuzzed TSVs. Now every bad cell is a file:line:col error, dcc exits 2 (the file has
# errors, as for any bad cell: docs/cli.md) and nothing is sent; JSON input and Gen3
# manifests likewise. Then ~200 seeded, randomly corrupted TSVs: dcc never dies of a signal.
# usage: register_utf8.sh DCC DCCD PROFILES_DIR
set -euo pipefail
. "$(dirname "$0")/../support/cli_test_start.sh"
export DCC_LAB=lab-a DCC_AWARD=U1
count() { curl -s -u "$admin" "$url/search/?type=$1&limit=0" | jq .total; }

echo "1. TSV: each bad cell named by file:line:col, exit 2, nothing sent"
# Line 2 col 1: a lone 0xFF; line 3 col 3: a truncated 3-byte sequence; line 4: valid
# UTF-8 (é, in a free-text column); line 5 col 2: an overlong '/' (0xC0 0xAF).
printf 'aliases\torganism\tsex\tsubmitter_comment\n' >"$work/bad.tsv"
printf 'd1\xff\thuman\tfemale\n' >>"$work/bad.tsv"
printf 'd2\thuman\tmal\xe2\x82\n' >>"$work/bad.tsv"
printf 'd4\thuman\tmale\tcaf\xc3\xa9\n' >>"$work/bad.tsv"
printf 'd5\thum\xc0\xafan\tmale\n' >>"$work/bad.tsv"
expect_exit 2 "nothing was sent" "$dcc" register -p human_donor -i "$work/bad.tsv"
for where in "bad.tsv:2:1: invalid UTF-8 at byte 3 of the cell" "bad.tsv:3:3: invalid UTF-8 at byte 4 of the cell" \
  "bad.tsv:5:2: invalid UTF-8 at byte 4 of the cell"; do
  grep -q "$where" "$work/err" || fail "no '$where' in: $(cat "$work/err")"
done
[ "$(grep -c "invalid UTF-8" "$work/err")" = 3 ] || fail "expected 3 errors: $(cat "$work/err")"
[ "$(count HumanDonor)" = 0 ] || fail "a record was sent"
printf 'aliases\torg\xfeanism\nd1\thuman\n' >"$work/badhead.tsv"
expect_exit 2 "badhead.tsv:1:2: invalid UTF-8 at byte 4 of the column name" \
  "$dcc" register -p human_donor -i "$work/badhead.tsv"
echo "ok   bad cells and column names are file:line:col errors"

echo "2. --continue sends only the clean rows and lists the bad"
set +e
"$dcc" register -p human_donor -i "$work/bad.tsv" --continue >"$work/out" 2>"$work/err"; rc=$?
set -e
[ $rc = 1 ] || fail "--continue exited $rc: $(cat "$work/err")"
grep -q "1 created, 0 existed, 0 patched, 0 failed, 3 bad line(s) skipped" "$work/out" || fail "$(cat "$work/out")"
[ "$(count HumanDonor)" = 1 ] || fail "expected only the clean row to be sent"
echo "ok   --continue"

echo "3. JSON input and Gen3 manifests"
printf '[{"aliases": ["j1"],\n  "organism": "hu\xffman"}]' >"$work/bad.json"
expect_exit 2 "bad.json:2:18: invalid UTF-8" "$dcc" register -p human_donor -i "$work/bad.json"
printf 'guid,md5,size,url\ndg.1/00000000-0000-4000-8000-000000000001,0123456789abcdef0123456789abcdef,1,s3://b/k\xff\n' \
  >"$work/bad.csv"
set +e
DCC_API_KEY=${admin%%:*} DCC_SECRET_KEY=${admin#*:} "$dcc" manifest index "$work/bad.csv" -o "$work/m.tsv" \
  >"$work/out" 2>"$work/err"; rc=$?
set -e
[ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "manifest index exited $rc: $(cat "$work/err")"
grep -q "bad.csv:2:4: invalid UTF-8 at byte 9 of the cell" "$work/err" || fail "manifest: $(cat "$work/err")"
[ "$(curl -s -u "$admin" "$url/index/?limit=10" | jq '.records | length')" = 0 ] || fail "a manifest row was indexed"
echo "ok   JSON input and manifests"

echo "4. 200 seeded, randomly corrupted TSVs: never a signal; exit 2 exactly when a line is not UTF-8"
python3 - "$work" <<'PY'
import random, sys
work = sys.argv[1]
base = (b"# donors\naliases\torganism\tsex\tsubmitter_comment\n"
        + b"".join(b"f%d\thuman\tfemale\tcaf\xc3\xa9 number %d\n" % (i, i) for i in range(6)))
for seed in range(200):
    rnd = random.Random(seed)
    data = bytearray(base)
    for _ in range(rnd.randint(1, 4)):
        pos = rnd.randrange(len(data))
        kind = rnd.random()
        if kind < 0.6:
            data[pos] = rnd.randint(0x80, 0xff)           # a stray high byte
        elif kind < 0.8:
            data[pos:pos] = bytes([0xe2, 0x82])           # a truncated sequence
        else:
            data[pos] = rnd.choice(b"\t\n\x00\"'[],\\")  # structure, not encoding
    expect = 0
    for line in bytes(data).split(b"\n"):
        line = line.rstrip(b"\r")
        if not line.strip(b" \t\r") or line.startswith(b"#"):
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            expect = 1
    with open("%s/fuzz%03d.tsv" % (work, seed), "wb") as f:
        f.write(bytes(data))
    with open("%s/fuzz%03d.expect" % (work, seed), "w") as f:
        f.write(str(expect))
PY
signals=0 bad_utf8=0 named=0
for seed in $(seq -f %03g 0 199); do
  f=$work/fuzz$seed.tsv
  args=(register -p human_donor -i "$f")
  [ $((10#$seed % 2)) = 0 ] && args+=(--dry-run)
  set +e
  "$dcc" "${args[@]}" >"$work/out" 2>"$work/err"; rc=$?
  set -e
  [ $rc -lt 128 ] || { signals=$((signals + 1)); echo "fuzz$seed.tsv: exit $rc" >&2; continue; }
  if [ "$(cat "$work/fuzz$seed.expect")" = 1 ]; then
    bad_utf8=$((bad_utf8 + 1))
    [ $rc = 2 ] || fail "fuzz$seed.tsv is not UTF-8 but dcc exited $rc: $(head -3 "$work/err")"
    # A header that breaks otherwise (a column name hit by '\t') is reported first.
    grep -q "fuzz$seed.tsv:[0-9]*:[0-9]*: invalid UTF-8" "$work/err" && named=$((named + 1))
  fi
done
[ $signals = 0 ] || fail "$signals of 200 corrupted TSVs killed dcc with a signal"
[ $bad_utf8 -gt 100 ] || fail "only $bad_utf8 of 200 files had invalid UTF-8; the generator is off"
[ $named -gt $((bad_utf8 * 9 / 10)) ] || fail "only $named of $bad_utf8 non-UTF-8 files named the bad byte"
echo "ok   200 corrupted TSVs ($bad_utf8 with invalid UTF-8): no signal"
echo "4 passed, 0 failed"
