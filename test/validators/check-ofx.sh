#!/bin/bash
# check-ofx.sh - validate an OFX statement export with third-party parsers.
#
# usage: check-ofx.sh [--pedantic] [--lenient] [--no-optional] FILE.ofx EXPECTED_TRANSACTION_COUNT
#
# Required (Debian 12):
#   apt-get install -y --no-install-recommends ofx opensp libxml2-utils python3-ofxparse
# Optional steps run when installed (skipped with a notice otherwise):
#   apt-get install -y --no-install-recommends ledger-autosync ledger hledger aqbanking-tools
#   npm parsers ofx-js, ofx-data-extractor (devDependencies of banksync, installed by its npm ci)
#
# Steps (any failure -> exit 1):
#   1 lint      lib/ofxlint.py: header grammar, charset vs bytes, DTD data types/enums/lengths
#               (read from libofx's DTD), FITID uniqueness, dates
#   2 dtd       v1: onsgmls + libofx's opensp.dcl + ofx160.dtd; v2: xmllint --dtdvalid ofx201.dtd
#   3 libofx    ofxdump: no 'LibOFX ERROR', no 'LibOFX WARNING' (unless --lenient), count, all fields understood
#   4 ofxparse  python3-ofxparse with fail_fast: no exception, count
#   5 cross     libofx and ofxparse agree on FITIDs, per-transaction amounts and payee names
#   6 ledger-autosync -> ledger/hledger (optional): journal printed, parses, one ofxid per transaction
#   7 aqbanking-cli import (optional): independent OFX importer accepts it, count
#   8 npm (optional): ofx-js and ofx-data-extractor.validate()
# --pedantic also fails on lint warnings (interoperability risks, e.g. non-UTF-8 text).
set -u
exec </dev/null                  # some of the tools read stdin when it is open
export LANG=C.UTF-8 LC_ALL=C.UTF-8
HERE="$(cd "$(dirname "$0")" && pwd)"
# An npm parser is used when node resolves it from here (banksync's node_modules, up the tree).
npm_parser() { command -v node >/dev/null && (cd "$HERE" && node --input-type=module -e "import.meta.resolve('$1')" 2>/dev/null); }
PY=/usr/bin/python3             # Debian's python (python3-ofxparse lives there; a pyenv python3 may shadow it)
DTD=/usr/share/libofx7/libofx/dtd
PEDANTIC=""; LENIENT=0; OPTIONAL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --pedantic) PEDANTIC=--pedantic; shift ;;
    --lenient) LENIENT=1; shift ;;
    --no-optional) OPTIONAL=0; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || { echo "usage: $0 [--pedantic] [--lenient] [--no-optional] FILE.ofx EXPECTED_COUNT" >&2; exit 2; }
FILE="$1"; EXPECTED="$2"
[ -r "$FILE" ] || { echo "cannot read $FILE" >&2; exit 2; }
for t in ofxdump onsgmls xmllint; do command -v $t >/dev/null || { echo "missing $t (see apt-get line in $0)" >&2; exit 2; }; done
$PY -c 'import ofxparse' 2>/dev/null || { echo "missing python3-ofxparse" >&2; exit 2; }

TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
FAILS=0
pass() { echo "PASS $1${2:+: $2}"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS+1)); }
skip() { echo "SKIP $1: $2"; }
indent() { sed 's/^/     | /' | head -${1:-15}; }

# ---- 1 lint
if $PY "$HERE/lib/ofxlint.py" $PEDANTIC "$FILE" > "$TMP/lint.txt" 2>&1; then
  pass lint "$(grep -c '^WARN' "$TMP/lint.txt") warning(s)"; grep '^WARN' "$TMP/lint.txt" | indent 8
else
  fail lint "$(grep -c "^ERROR" "$TMP/lint.txt") error(s), $(grep -c "^WARN" "$TMP/lint.txt") warning(s)"; grep -E '^(ERROR|WARN)' "$TMP/lint.txt" | indent 20
fi

# ---- 2 DTD validation
if head -c 200 "$FILE" | grep -q '<?xml'; then
  VERSION=2
  if xmllint --noout --dtdvalid "$DTD/ofx201.dtd" "$FILE" > "$TMP/dtd.txt" 2>&1; then pass dtd "xmllint --dtdvalid ofx201.dtd"
  else fail dtd "xmllint --dtdvalid ofx201.dtd"; indent 12 < "$TMP/dtd.txt"; fi
else
  VERSION=1
  CS=$(grep -m1 -a '^CHARSET:' "$FILE" | tr -d '\r' | cut -d: -f2)
  ENC=$(grep -m1 -a '^ENCODING:' "$FILE" | tr -d '\r' | cut -d: -f2)
  FROM=UTF-8; if [ "$ENC" = USASCII ]; then case "$CS" in ISO-8859-1) FROM=ISO-8859-1 ;; *) FROM=CP1252 ;; esac; fi
  # body only (libofx does the same: the header is not SGML), converted to UTF-8
  sed -n '/<OFX>/,$p' "$FILE" | tr -d '\r' | iconv -f "$FROM" -t UTF-8 > "$TMP/body.sgml" 2>"$TMP/iconv.txt" \
    || { fail dtd "body is not valid $FROM: $(head -1 "$TMP/iconv.txt")"; }
  # (banksync: -E0 added: the default stop after 200 errors counted the filtered ones and failed big files)
  # libofx's SGML declaration only declares 7-bit characters, so every non-ASCII byte is a
  # 'non SGML character' error; libofx itself tolerates those, so they are filtered out here.
  SP_CHARSET_FIXED=1 SP_ENCODING=utf-8 onsgmls -E0 -s "$DTD/opensp.dcl" "$DTD/ofx160.dtd" "$TMP/body.sgml" 2>&1 \
    | grep -v 'non SGML character number' > "$TMP/dtd.txt"
  if [ -s "$TMP/dtd.txt" ]; then fail dtd "onsgmls against ofx160.dtd"; sed "s#$TMP/body.sgml#body#" "$TMP/dtd.txt" | indent 12
  else pass dtd "onsgmls against ofx160.dtd"; fi
fi

# ---- 3 libofx (what GnuCash's OFX importer sees)
ofxdump "$FILE" > "$TMP/ofxdump.out" 2> "$TMP/ofxdump.err"; RC=$?
grep -a 'LibOFX ERROR' "$TMP/ofxdump.err" > "$TMP/lerr.txt"
# the UTF-8 notice is printed for every UTF-8/XML file and is not a finding
grep -a 'LibOFX WARNING' "$TMP/ofxdump.err" | grep -v 'OpenSP cannot process an UTF-8' > "$TMP/lwarn.txt"
$PY "$HERE/lib/ofx_consumers.py" ofxdump-summary < "$TMP/ofxdump.out" > "$TMP/libofx.json"
N=$($PY -c 'import json,sys;print(json.load(open(sys.argv[1]))["count"])' "$TMP/libofx.json")
PROB=$($PY -c 'import json,sys;print("\n".join(json.load(open(sys.argv[1]))["problems"]))' "$TMP/libofx.json")
MSG=""
[ $RC -ne 0 ] && MSG="$MSG ofxdump exit $RC;"
[ -s "$TMP/lerr.txt" ] && MSG="$MSG $(wc -l < "$TMP/lerr.txt") LibOFX ERROR line(s);"
[ $LENIENT -eq 0 ] && [ -s "$TMP/lwarn.txt" ] && MSG="$MSG $(wc -l < "$TMP/lwarn.txt") LibOFX WARNING line(s);"
[ "$N" != "$EXPECTED" ] && MSG="$MSG $N transactions, expected $EXPECTED;"
[ -n "$PROB" ] && MSG="$MSG fields libofx did not understand;"
if [ -z "$MSG" ]; then pass libofx "ofxdump: $N transactions"
else fail libofx "${MSG# }"; { cat "$TMP/lerr.txt"; grep -a -A3 'LibOFX ERROR: OpenSP' "$TMP/ofxdump.err" | grep -a ':E:'; cat "$TMP/lwarn.txt"; [ -n "$PROB" ] && echo "$PROB"; } | sort -u | indent 15; fi

# ---- 4 ofxparse (what ledger-autosync and other Python tools see)
if $PY "$HERE/lib/ofx_consumers.py" ofxparse "$FILE" > "$TMP/ofxparse.json" 2> "$TMP/ofxparse.err"; then
  N=$($PY -c 'import json,sys;print(json.load(open(sys.argv[1]))["count"])' "$TMP/ofxparse.json")
  PROB=$($PY -c 'import json,sys;print("\n".join(json.load(open(sys.argv[1]))["problems"]))' "$TMP/ofxparse.json")
  if [ "$N" = "$EXPECTED" ] && [ -z "$PROB" ]; then pass ofxparse "$N transactions"
  else fail ofxparse "$N transactions, expected $EXPECTED"; [ -n "$PROB" ] && echo "$PROB" | indent; fi
  # ---- 5 cross-check
  if $PY "$HERE/lib/ofx_consumers.py" compare "$TMP/libofx.json" "$TMP/ofxparse.json" libofx ofxparse > "$TMP/cmp.txt"; then
    pass cross "libofx and ofxparse agree on FITIDs, amounts, payees"
  else fail cross "libofx and ofxparse disagree"; indent < "$TMP/cmp.txt"; fi
else
  fail ofxparse "$(cat "$TMP/ofxparse.err")"
  skip cross "ofxparse failed"
fi

# ---- optional consumers
if [ $OPTIONAL -eq 1 ]; then
  # 6 ledger-autosync (uses ofxparse) -> ledger + hledger
  if command -v ledger-autosync >/dev/null && command -v ledger >/dev/null; then
    if ledger-autosync -L -a Assets:Bank "$FILE" > "$TMP/la.ledger" 2> "$TMP/la.err"; then
      NO=$(grep -c 'ofxid:' "$TMP/la.ledger")
      if [ "$NO" != "$EXPECTED" ]; then fail ledger-autosync "$NO ofxid lines, expected $EXPECTED (zero-amount same-time transactions are dropped)"
      elif ! ledger -f "$TMP/la.ledger" bal > "$TMP/lb.txt" 2>&1; then fail ledger-autosync "ledger cannot read the journal"; indent < "$TMP/lb.txt"
      elif command -v hledger >/dev/null && ! hledger -f "$TMP/la.ledger" check > "$TMP/hb.txt" 2>&1; then fail ledger-autosync "hledger cannot read the journal"; indent < "$TMP/hb.txt"
      else pass ledger-autosync "$NO transactions; journal accepted by ledger$(command -v hledger >/dev/null && echo " and hledger")"; fi
    else fail ledger-autosync "$(grep -v 'LEDGER_FILE environment' "$TMP/la.err" | tail -1)"; fi
  else skip ledger-autosync "not installed"; fi
  # 7 aqbanking (own OFX parser)
  if command -v aqbanking-cli >/dev/null; then
    mkdir -p "$TMP/aq"
    if aqbanking-cli -D "$TMP/aq" import --importer=ofx --profile=default -f "$FILE" -c "$TMP/aq.ctx" > "$TMP/aq.txt" 2>&1; then
      NA=$(aqbanking-cli -D "$TMP/aq" listtrans -c "$TMP/aq.ctx" 2>/dev/null | grep -c .)
      if [ "$NA" = "$EXPECTED" ]; then pass aqbanking "$NA transactions"; else fail aqbanking "$NA transactions, expected $EXPECTED"; fi
    else fail aqbanking "import failed: $(grep -v banking_update "$TMP/aq.txt" | tail -1)"; fi
  else skip aqbanking "not installed"; fi
  # 8 npm parsers
  if npm_parser ofx-js; then
    if node "$HERE/lib/npm-check.mjs" ofx "$FILE" > "$TMP/npm.out" 2> "$TMP/npm.err" && grep -qx "count=$EXPECTED" "$TMP/npm.out"; then pass npm "ofx-js, ofx-data-extractor: $(cat "$TMP/npm.out")"
    else fail npm "$(cat "$TMP/npm.out") expected $EXPECTED"; indent < "$TMP/npm.err"; fi
  else skip npm "run 'npm ci' in the banksync checkout to enable"; fi
fi

if [ $FAILS -eq 0 ]; then echo "OK $FILE"; exit 0; else echo "NOT OK $FILE: $FAILS failed step(s)"; exit 1; fi
