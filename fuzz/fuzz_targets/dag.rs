//! The room DAG: any small set of event records (forks, merges, cycles, repeated IDs with
//! other content, other rooms, outliers later promoted) is held, and every question asked of
//! it answers without panicking, consistently.
#![no_main]

mod common;

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(dag) = common::dag(&mut u, 48) else {
        return;
    };
    let order = dag.linear_order();
    assert!(
        order.len() <= dag.timeline_len(),
        "linear order longer than the timeline"
    );
    let gaps = dag.gaps();
    for gap in &gaps {
        assert!(
            dag.is_gap(gap.event),
            "gaps() lists a node is_gap() refuses"
        );
    }
    let _ = dag.forward_extremities();
    let _ = dag.outliers();
    let _ = dag.cycle_nodes();
    let _ = dag.forks();
    let _ = dag.merges();
    let _ = dag.findings();
    let _ = dag.summary();
    let rows = dag.layout_rows();
    assert_eq!(rows.offsets.len(), rows.len() + 1);
    let depths: Vec<u64> = rows.depths.iter().map(|&d| d.max(0) as u64).collect();
    let _ = mxdag::layout::layout(&mxdag::layout::LayoutInput {
        offsets: &rows.offsets,
        parents: &rows.parents,
        depths: &depths,
    });
});
