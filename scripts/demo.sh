#!/usr/bin/env bash
# The demo behind `make demo`: two synthetic shifts of one patrol car (one
# seven months old, so retention has work; one from yesterday) are read by
# the in-car reader, loaded into the back office, searched and planned.
set -euo pipefail
alpr=${ALPR:-bin/alpr}
demo=${DEMO:-var/demo}
models=${MODELS:-var/models}
rm -rf "$demo"
mkdir -p "$demo"

echo "== keys: the station's drive key and IT's signing key"
"$alpr" keys generate "$demo/keys"

shift_run() { # name start seed
  local name=$1 start=$2 seed=$3
  echo "== fixtures: synthetic shift '$name' starting $start"
  "$alpr" fixtures shift "$demo/$name" --seed "$seed" --start "$start"
  echo "== edge: officer 4127 logs in (trained, on the signed roster); the car reads the shift"
  echo "   (front camera: video; rear camera: stills) and encrypts its drive to the station"
  ALPR_PIN=2468 "$alpr" edge --source "front=$demo/$name/shift.avi" --source "rear=$demo/$name/scenes" \
    --roster "$demo/$name/roster.json" --it-key "$demo/$name/it.pub" --encrypt-to-file "$demo/keys/station.pub" \
    --hotlist "$demo/$name/hotlist.ncic" --gps-track "$demo/$name/gps.csv" \
    --drive "$demo/drive" --officer 4127 --vehicle car12 --start "$start" --interval 20s \
    --models "$models" 2>"$demo/edge-$name.log"
  grep -h 'msg=HIT' "$demo/edge-$name.log" | sed 's/^.*msg=HIT/   HIT/' || true
}

shift_run old "$(date -u -d '7 months ago' +%Y-%m-%dT%H:00:00Z)" 1
shift_run new "$(date -u -d '1 day ago' +%Y-%m-%dT%H:00:00Z)" 2

echo "== ingest: drive -> DuckDB with the station key (twice: the second run must load nothing)"
"$alpr" ingest "$demo/drive" --store "$demo/store" --identity "$demo/keys/station.key"
"$alpr" ingest "$demo/drive" --store "$demo/store" --identity "$demo/keys/station.key"

plate=$(sed -n 2p "$demo/new/expected-hits.csv" | cut -d, -f1)
echo "== search: every read of $plate (on yesterday's hot list)"
"$alpr" search plate "$plate" --store "$demo/store" --user demo --reason "stolen vehicle follow-up" --case 26-004711

held=$(grep -m1 -o 'msg=HIT id=[^ ]* plate=[A-Z0-9]*' "$demo/edge-old.log" | sed 's/.*plate=//')
echo "== retention: the records clerk holds $held (a hit of the old shift) as evidence for case 26-001187"
"$alpr" retention hold add --store "$demo/store" --plate "$held" --case 26-001187 --requester "Det. Smith" \
  --reason "evidence in a robbery investigation" --user clerk
echo "== retention: what is due for destruction today (dry run), then the nightly run itself"
"$alpr" retention run --dry-run --store "$demo/store"
"$alpr" retention run --store "$demo/store" --actor demo-nightly-job
echo "== search: the held plate's reads survived, with their images"
"$alpr" search plate "$held" --store "$demo/store" --user demo --reason "robbery investigation" --case 26-001187

echo "== agencies: IT lists the prosecutor's office among the agencies records may go to for an investigation"
"$alpr" agencies add --store "$demo/store" --ori MO0950100 --name "St. Louis Circuit Attorney" --actor demo-it
echo "== evidence: the clerk packages case 26-001187 for the prosecutor, and the package verifies"
"$alpr" evidence export --store "$demo/store" --case 26-001187 --recipient "St. Louis Circuit Attorney" \
  --purpose "prosecution of case 26-001187" --authorisation investigation --user clerk --out "$demo/evidence"
"$alpr" evidence verify "$demo"/evidence/case-26-001187-*

echo "== report: the records clerk's retention schedule report for this year (CSV; --format pdf for the signed copy)"
"$alpr" retention report --store "$demo/store" --from "$(date +%Y)-01-01" --to "$(( $(date +%Y) + 1 ))-01-01"
"$alpr" retention report --store "$demo/store" --from "$(date +%Y)-01-01" --to "$(( $(date +%Y) + 1 ))-01-01" \
  --format pdf --out "$demo/retention-report.pdf"

echo "== audit: IT verifies the hash chain of every access"
"$alpr" audit verify --store "$demo/store"

echo
echo "== next: the back office on this store (first start prints the IT administrator's one-time password)"
echo "   $alpr serve --store $demo/store    then open http://127.0.0.1:8080/"
