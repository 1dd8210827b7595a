#!/bin/sh
# Runs benches/adversarial.rs for 100,000 and 1,000,000 empty PDUs, one process each, then
# 1,000,000 through input::recognise only and event::validate_input only.
#
# Measured natively on the 2-core development machine (bench profile), 1,000,000 empty PDUs
# (3.0 MB) through a room session, room version 10:
#   before the caps (28cdcd7): ingest 25.8 s, 45.2 s with the JSON report, peak 4,692 MB,
#                              report 1,584 MB (528x the input)
#   after (cb2e31d):           ingest 5.3 s, 6.0 s with the JSON report, peak 683 MB,
#                              report 135 MB (45x); recognise alone 196 MB, validate 379 MB
#   boxed placements, broken objects not kept (2026-12-04): ingest 3.0 s, peak 660 MB
#                              (1,148 MB just before, with state resolution in the session)
# 100,000 empty PDUs: before 494 MB peak, report 157 MB (524x); after 75 MB, 15.4 MB (51x).
set -e
cd "$(dirname "$0")/.."
for n in 100000 1000000; do
  MXDAG_ADVERSARIAL_PDUS=$n cargo bench -q --bench adversarial 2>/dev/null
done
for stage in recognise validate; do
  MXDAG_ADVERSARIAL_PDUS=1000000 MXDAG_ADVERSARIAL_STAGE=$stage cargo bench -q --bench adversarial 2>/dev/null
done
