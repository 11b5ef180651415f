#!/usr/bin/env bash
# The main job on the embedded default configuration: install what is missing, build, and
# validate the bundled demo batch (demo/messages), printing the gateway's report.
# Later issues turn this into: start the daemon and replay the demo batch.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
iwmo_install_and_build

gateway="$IWMO_BUILD_DIR/gateway/cli/iwmo-gateway"
cd "$IWMO_ROOT"
echo
echo "== iwmo-gateway validate demo/messages (embedded default config) =="
echo "   demo/messages/valid: one story of all 14 iWmo 3.2 message types"
echo "   demo/messages/invalid: messages with one deliberate flaw each (see demo/README.md)"
echo
set +e
"$gateway" validate demo/messages
status=$?
set -e
# Exit 1 means "some messages are invalid", which the demo's invalid/ folder is there to show.
case $status in
  0|1) echo; echo "demo finished: every message got a verdict (details: demo/README.md)"; exit 0 ;;
  *) echo "demo failed: iwmo-gateway exited with $status" >&2; exit "$status" ;;
esac
