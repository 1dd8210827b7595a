//! The gap planner: on any small DAG with gaps, with any strategy and options, recording any
//! outcome for the requests it plans (answers of any size, failures, unknown endpoints, out
//! of order, for servers it does not have, with events arriving in between) never panics, and
//! it never plans a request for a server it does not know.
#![no_main]

mod common;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use mxdag::dag::Placement;
use mxdag::planner::{GapPlanner, Outcome, PlannerOptions, Strategy};

fn outcome(u: &mut Unstructured) -> Result<Outcome> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => Outcome::Unrecognized,
        1 => Outcome::Failed,
        _ => Outcome::Answered {
            received: u.arbitrary::<u16>()?.into(),
            new: u.arbitrary::<u16>()?.into(),
            lowest_depth: u.arbitrary()?,
        },
    })
}

fn run(u: &mut Unstructured) -> Result<()> {
    let mut dag = common::dag(u, 24)?;
    let servers: Vec<String> = (0..u.int_in_range(0..=3u8)?)
        .map(|i| format!("s{i}.example.org"))
        .collect();
    let strategy = *u.choose(&Strategy::ALL)?;
    let options = PlannerOptions {
        strategy,
        limit: u.int_in_range(0..=120)?,
        max_round_trips: u.int_in_range(0..=64)?,
        max_wait_ms: u.arbitrary()?,
        parallel: u.int_in_range(0..=4)?,
    };
    let mut planner = GapPlanner::new(common::ROOM, &servers, options);
    for _round in 0..u.int_in_range(0..=12u8)? {
        if u.ratio(1u8, 4u8)? {
            let now = u.arbitrary()?;
            planner.set_now_ms(now);
        }
        let requests = planner.next_requests(&dag);
        for r in &requests {
            assert!(
                r.server_index < servers.len(),
                "a request for an unknown server"
            );
            let _ = (r.line(), r.body());
        }
        // The answers' events arrive before the outcomes are recorded.
        for event in common::records(u, 4)? {
            dag.insert(&event, Placement::Timeline);
        }
        for mut r in requests {
            if u.ratio(1u8, 8u8)? {
                r.server_index = u.arbitrary()?;
            }
            let outcome = outcome(u)?;
            planner.record(&dag, &r, outcome);
        }
        let _ = planner.next_wakeup(&dag);
    }
    let _ = planner.open_gaps(&dag);
    let _ = planner.open_gap_problems(&dag);
    let _ = (
        planner.round_trips(),
        planner.budget_spent(),
        planner.servers(),
    );
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
