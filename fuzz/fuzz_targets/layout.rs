//! The layout: any CSR arrays (offsets not ascending or past the end, parents out of range,
//! self-loops, cycles, wrong number of depths) are laid out without panicking; every node
//! gets a place and every edge kept is within range.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use mxdag::layout::{layout, LayoutInput};

fn run(u: &mut Unstructured) -> Result<()> {
    let n: u32 = u.int_in_range(0..=64)?;
    let mut offsets = vec![0u32];
    let mut parents = Vec::new();
    for _ in 0..n {
        for _ in 0..u.int_in_range(0..=3u8)? {
            // Mostly an earlier node (a DAG in linear order), sometimes anything.
            parents.push(if u.ratio(7u8, 8u8)? {
                u.int_in_range(0..=n)?
            } else {
                u.arbitrary()?
            });
        }
        offsets.push(parents.len() as u32);
    }
    // Sometimes damaged offsets.
    if u.ratio(1u8, 4u8)? && !offsets.is_empty() {
        let i = u.choose_index(offsets.len())?;
        offsets[i] = u.arbitrary()?;
    }
    if u.ratio(1u8, 8u8)? {
        offsets.truncate(u.int_in_range(0..=offsets.len())?);
    }
    let depths_len = if u.ratio(7u8, 8u8)? {
        n as usize
    } else {
        u.int_in_range(0..=80)?
    };
    let depths = (0..depths_len)
        .map(|_| u.arbitrary())
        .collect::<Result<Vec<u64>>>()?;
    let out = layout(&LayoutInput {
        offsets: &offsets,
        parents: &parents,
        depths: &depths,
    });
    let nodes = offsets.len().saturating_sub(1);
    assert_eq!(out.x.len(), nodes);
    assert_eq!(out.lane.len(), nodes);
    assert_eq!(out.edges.len(), 2 * out.back_edge.len());
    assert!(
        out.edges.iter().all(|&e| (e as usize) < nodes),
        "an edge out of range"
    );
    assert_eq!(out.runs.len() % 3, 0);
    assert!(out.lane.iter().all(|&l| l < out.lanes.max(1)));
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
