#!/usr/bin/env bash
# `make demo`: the London examples end to end, with embedded defaults and no service to install.
set -euo pipefail
cd "$(dirname "$0")/.."
PP=.venv/bin/policingplan
WAREHOUSE="${POLICINGPLAN_WAREHOUSE:-.policingplan/warehouse}"

heading() { printf '\n\033[1m== %s\033[0m\n\n' "$1"; }

heading "The Policing London Plan 2007/08 (from MPA report 8a, 1 March 2007)"
$PP validate examples/london-2007-08
$PP show examples/london-2007-08

heading "PSA1: does the plan meet the government's requirement?"
$PP requirement examples/london-2007-08

heading "Borough targets for the 10 BCS comparator crimes (variable target setting)"
$PP targets examples/london-2007-08

heading "Borough targets beside the targets agreed with local partners"
$PP partners examples/london-2007-08

heading "Loading the real data into the warehouse ($WAREHOUSE)"
$PP data load --plan examples/london-2007-08 --warehouse "$WAREHOUSE"
$PP data load --plan examples/london-2023-24 --warehouse "$WAREHOUSE"
$PP data status --warehouse "$WAREHOUSE"

heading "Monitoring the illustrative 2023/24 plan: the force, at December 2023"
$PP validate examples/london-2023-24
$PP monitor examples/london-2023-24 --as-of 2023-12 --warehouse "$WAREHOUSE"

heading "Monitoring one borough: Westminster (E09000033), at December 2023"
$PP monitor examples/london-2023-24 --as-of 2023-12 --unit E09000033 --warehouse "$WAREHOUSE"

heading "What changed between the version of 14 February 2007 (0.3) and the plan as approved (1.0)"
$PP diff examples/london-2007-08/versions/0.3 examples/london-2007-08

heading "Publishing the plan, the changes, the committee report, the letters and the spreadsheet"
$PP publish examples/london-2007-08 --out published/london-2007-08

heading "The web application, with the London 2023/24 example and its data"
export POLICINGPLAN_WAREHOUSE="$WAREHOUSE"
$PP web create-demo-accounts
echo "Serving at http://127.0.0.1:8000 (Ctrl-C to stop); sign in with an account above."
exec $PP serve --host 127.0.0.1 --port 8000
