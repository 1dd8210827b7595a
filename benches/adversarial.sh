#!/bin/sh
# Runs benches/adversarial.rs for 100,000 and 1,000,000 empty PDUs, one process each.
set -e
cd "$(dirname "$0")/.."
for n in 100000 1000000; do
  MXDAG_ADVERSARIAL_PDUS=$n cargo bench -q --bench adversarial 2>/dev/null
done
for stage in recognise validate; do
  MXDAG_ADVERSARIAL_PDUS=1000000 MXDAG_ADVERSARIAL_STAGE=$stage cargo bench -q --bench adversarial 2>/dev/null
done
