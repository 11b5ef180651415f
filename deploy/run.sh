#!/usr/bin/env bash
# The main job on the embedded default configuration: install what is missing, build, then
#  0. import the demo's reference data for the BW responsibility rules (demo/reference/);
#  1. replay the bundled demo batch (demo/messages) through the gateway's pipeline and print the
#     replay summary (deterministic outputs in var/demo-replay/);
#  2. start the daemon (`iwmo-gateway run`), hand it the same demo messages through its receive
#     directories, and show what it did: the routing log (`tail`), the story of one rejected
#     message (`explain`), the journal (`status`) and a few metrics; then stop it with SIGTERM;
#  3. the BW responsibility decisions: today's law, and a what-if with the woonplaatsbeginsel;
#  4. the eigen bijdrage to the CAK (simulate-cak answers);
#  5. the GGk side: StUF-GGk envelopes in and out, technical answers, the chain's Fo01s.
# The embedded default config keeps its state in var/ of this checkout; the demo starts from an
# empty var/ each time.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
iwmo_install_and_build iwmo-gateway

gateway="$IWMO_BUILD_DIR/gateway/cli/iwmo-gateway"
cd "$IWMO_ROOT"
rm -rf var
echo
echo "== 0. reference data for the BW responsibility rules (invented, demo/reference/) =="
"$gateway" import brp demo/reference/brp.csv
"$gateway" import institutions demo/reference/institutions.csv
"$gateway" import regions demo/reference/regions.csv
echo
echo "== 1. iwmo-gateway replay demo/messages (embedded default config) =="
echo "   demo/messages/valid: one story of all 14 iWmo 3.2 message types for gemeente 0599"
echo "   demo/messages/invalid: messages with one deliberate flaw each (see demo/README.md)"
"$gateway" replay demo/messages --out var/demo-replay

echo
echo "== 2. the daemon: iwmo-gateway run =="
"$gateway" run 2> var/daemon.log &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs http://127.0.0.1:8480/healthz >/dev/null 2>&1 && break
  if ! kill -0 $daemon 2>/dev/null; then cat var/daemon.log; echo "the daemon did not start" >&2; exit 1; fi
  sleep 0.1
done
cat var/daemon.log
# The gemeente's own message types come from the back office, the providers' from the GGk. The
# GGk side goes first: the back office's retours answer heen messages the gateway must have seen
# (a retour leaves in a Du01 that names the envelope its heen message came in).
drop() {  # drop FILE DIR: write, then rename
  local name; name="$(basename "$1")"
  cp "$1" "$2/.$name.tmp" && mv "$2/.$name.tmp" "$2/$name"
}
wait_idle() {  # wait_idle COUNT: until COUNT messages are journaled, handled and delivered
  for _ in $(seq 1 300); do
    status=$("$gateway" status --json 2>/dev/null || true)
    case "$status" in *"\"messages\":$1,\"pending\":0,"*"\"outbox_pending\":0,"*) return ;; esac
    sleep 0.1
  done
}
count=0
for pass in ggk backoffice; do
  for file in demo/messages/valid/*.xml demo/messages/invalid/*.xml; do
    case "$(grep -o 'iwmo/3_2/wmo3[0-9][0-9]' "$file" | head -n 1)" in
      */wmo301|*/wmo306|*/wmo308|*/wmo316|*/wmo318|*/wmo319|*/wmo325) side=backoffice ;;
      *) side=ggk ;;
    esac
    [ "$side" = "$pass" ] || continue
    if [ "$side" = backoffice ]; then drop "$file" var/backoffice/outbox; else drop "$file" var/ggk/download; fi
    count=$((count + 1))
  done
  wait_idle $count
done
echo "   dropped $count messages into var/ggk/download, then var/backoffice/outbox"
# StUF-GGk envelopes as the GGk delivers them (demo/messages/wrapped, see demo/README.md).
for file in demo/messages/wrapped/*.xml; do
  drop "$file" var/ggk/download
  count=$((count + 1))
done
wait_idle $count
echo "   dropped $(ls demo/messages/wrapped | wc -l) StUF-GGk envelopes into var/ggk/download"

echo
echo "== routing log (iwmo-gateway tail -n 0; BSNs appear only as keyed pseudonyms) =="
"$gateway" tail -n 0
echo
echo "== why was the message with Identificatie THR26-S0901 refused? (iwmo-gateway explain THR26-S0901) =="
"$gateway" explain THR26-S0901
echo
echo "== iwmo-gateway status =="
"$gateway" status
echo
echo "== 3. responsibility for Beschermd Wonen =="
echo "   today's law (regime A): the aanmeldgemeente decides; the BW toewijzing TW-2026-0004 is confirmed:"
bw_sha=$(sha256sum demo/messages/valid/15-WMO301-toewijzing-beschermd-wonen-kartosen.xml | cut -c1-16)
"$gateway" explain "$bw_sha" | grep -A3 "responsibility:"
"$gateway" review list
echo
echo "   what if the woonplaatsbeginsel were in force (demo/regime-b.toml, a made-up date)?"
"$gateway" --config demo/regime-b.toml replay demo/messages/valid --out var/demo-regime-b > /dev/null
"$gateway" review list --journal var/demo-regime-b/journal.sqlite
echo
echo "   the same question as a case (DESIGN §4.1): iwmo-gateway responsible --case demo/cases/kartosen-regime-b.json --check"
"$gateway" responsible --case demo/cases/kartosen-regime-b.json --check
echo
echo "== 4. eigen bijdrage to the CAK =="
echo "   the WMO405 / WMO407 the daemon derived from the toewijzingen and starts (var/cak/upload):"
ls var/cak/upload
"$gateway" ieb pending
echo
echo "   iwmo-gateway simulate-cak plays the CAK and answers with WMO406 / WMO408 (var/cak/download):"
"$gateway" simulate-cak || true
for _ in $(seq 1 100); do
  "$gateway" ieb pending --json 2>/dev/null | grep -q '"awaiting-retour"' || break
  sleep 0.1
done
"$gateway" ieb rejected
echo
echo "== 5. the GGk side: StUF-GGk envelopes (var/ggk/upload: <tijdstip>_<functie>_<referentienummer>.xml) =="
echo "   what the gateway sent to the GGk, and its technical answers to the envelopes:"
ls var/ggk/upload | grep -E '_(Fo01|WMO306)_' || true
"$gateway" tail -n 0 | grep ' answered ' || true
echo "   the chain's Fo01 error messages (iwmo-gateway ggk errors):"
"$gateway" ggk errors
echo
echo "== a few metrics (curl http://127.0.0.1:8480/metrics) =="
curl -fs http://127.0.0.1:8480/metrics | grep -E '^iwmo_(messages_rejected_total|duplicates_total|queue_depth|ieb_records)' || true
echo
kill -TERM $daemon
wait $daemon
trap - EXIT
tail -n 2 var/daemon.log
echo
echo "demo finished. Delivered files: var/ggk/upload (to the GGk), var/backoffice/inbox (to the back"
echo "office), var/cak (to and from the CAK), var/rejected (refused, each with a .report.txt)."
echo "Run the daemon yourself with:"
echo "  $gateway run          (then: $gateway tail -f, in another terminal)"
