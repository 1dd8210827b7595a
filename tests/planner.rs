//! The gap planner on small simulated federations and hand-built DAGs: it never asks for an
//! event it holds, never asks a server that answered `M_UNRECOGNIZED` for forwards fill
//! again, stops when no server can help (saying why), and closes every closable gap.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod dag_support;

use std::collections::HashMap;

use dag_support::{dag_of, ev, full};
use mxdag::dag::RoomDag;
use mxdag::federation::FederationRequest;
use mxdag::planner::shape::RoomShape;
use mxdag::planner::simulator::{PeerConfig, Simulation, SimulationOptions};
use mxdag::planner::{
    backoff_ms, codes, GapPlanner, OpenReason, Outcome, PlannerOptions, Strategy, Support, HOUR_MS,
};

fn small(shape: RoomShape, events: usize, gaps: usize, peers: Vec<PeerConfig>) -> Simulation {
    Simulation::new(SimulationOptions {
        seed: 5,
        events,
        gaps,
        shape,
        peers,
        planner: PlannerOptions {
            limit: 20,
            ..PlannerOptions::default()
        },
    })
}

/// Runs `strategy` like the simulator does, checking every request against the DAG held
/// when it was planned; returns the forwards fill requests per server.
fn run_checked(sim: &Simulation, strategy: Strategy) -> (RoomDag, HashMap<String, usize>) {
    let mut dag = sim.starting_dag();
    let mut planner = sim.planner(strategy);
    let mut forwards = HashMap::new();
    let mut refused: Vec<String> = Vec::new();
    for _round in 0..100_000 {
        let Some(requests) = planner.next_or_wait(&dag) else {
            return (dag, forwards);
        };
        if strategy != Strategy::Cover {
            assert_eq!(requests.len(), 1, "{strategy:?} asks one server at a time");
        }
        // Every request of a round is planned on the same DAG: check them all against it.
        for r in &requests {
            // What goes on the wire reads back as the planned request.
            let wire = FederationRequest::parse(&r.line(), r.body().as_deref());
            assert_eq!(wire.as_ref(), Ok(&r.request));
            let held = |id: &String| dag.index_of(id).is_some_and(|n| dag.is_timeline(n));
            match &r.request {
                FederationRequest::Backfill(b) => {
                    assert!(!b.v.is_empty());
                    assert!(!b.v.iter().any(held), "{strategy:?} asked for a held event");
                    if strategy == Strategy::Synapse {
                        assert!(b.v.len() <= 5);
                    }
                }
                FederationRequest::GetMissingEvents(g) => {
                    assert!(g.latest_events.iter().all(held));
                    assert!(g.earliest_events.iter().all(held));
                    assert!(!g
                        .latest_events
                        .iter()
                        .any(|l| g.earliest_events.contains(l)));
                }
                FederationRequest::ForwardsFill(f) => {
                    assert!(f.from_event_id.iter().all(held));
                    assert!(!refused.contains(&r.server), "asked {} again", r.server);
                    *forwards.entry(r.server.clone()).or_default() += 1;
                }
                other => panic!("the planner asks only the walking endpoints, not {other:?}"),
            }
        }
        for r in &requests {
            let (outcome, _) = sim.exchange(&mut dag, r.server_index, &r.request);
            if outcome == Outcome::Unrecognized {
                refused.push(r.server.clone());
            }
            planner.record(&dag, r, outcome);
        }
        planner.set_now_ms(planner.now_ms() + 250);
    }
    panic!("{strategy:?} did not stop");
}

#[test]
fn every_strategy_closes_every_closable_gap_without_asking_for_held_events() {
    for shape in [RoomShape::Uniform, RoomShape::PublicRoom { width: 12 }] {
        let sim = small(shape, 1_200, 60, PeerConfig::default_federation());
        for strategy in Strategy::ALL {
            let (dag, _) = run_checked(&sim, strategy);
            let report = sim.run(strategy);
            assert!(
                report.gaps_at_start > 40,
                "{shape:?}: {}",
                report.gaps_at_start
            );
            assert_eq!(report.closable_gaps_left, 0, "{shape:?} {strategy:?}");
            assert!(report.all_closable_closed);
            assert_eq!(report.gaps_left, dag.gaps().len());
            assert!(report.round_trips > 0);
            assert!(report.duplicates <= report.events_transferred);
        }
    }
}

/// `$a1 ← $a2 ← $a3` held, `$b4 … $b19` missing, `$c20` held on `$b19`: a hole sixteen
/// deep above the forward extremity `$a3`.
fn hole_above_a_tip() -> RoomDag {
    dag_of(&[
        ev("a1", &[], 1, 1),
        ev("a2", &["a1"], 2, 2),
        ev("a3", &["a2"], 3, 3),
        ev("c20", &["b19"], 20, 20),
    ])
}

/// A planner asking `x.example` then `y.example`, with `limit`.
fn two_servers(limit: u64) -> GapPlanner {
    let servers = vec!["x.example".to_owned(), "y.example".to_owned()];
    let options = PlannerOptions {
        limit,
        ..PlannerOptions::default()
    };
    GapPlanner::new("!room:example.org", &servers, options)
}

#[test]
fn forwards_fill_fills_a_big_hole_from_below_and_a_refusal_is_remembered() {
    let dag = hole_above_a_tip();
    let mut planner = two_servers(4);
    let requests = planner.next_requests(&dag);
    assert_eq!(requests.len(), 2);
    let FederationRequest::Backfill(b) = &requests[0].request else {
        panic!("{:?}", requests[0]);
    };
    assert_eq!(b.v, vec![full("b19")]);
    assert_eq!(b.limit, 4);
    let FederationRequest::ForwardsFill(f) = &requests[1].request else {
        panic!("{:?}", requests[1]);
    };
    assert_eq!(requests[1].server, "y.example");
    assert_eq!(f.from_event_id, vec![full("a3")]);
    assert_eq!(f.limit, 4, "the limit, at most half the hole");
    assert_eq!(
        requests[1].line(),
        format!(
            "GET /_matrix/federation/v1/forwards_fill/%21room%3Aexample.org?from_event_id={}&limit=4",
            "%24a3%3Aexample.org"
        )
    );
    let failed = Outcome::Failed;
    planner.record(&dag, &requests[0], failed);
    planner.record(&dag, &requests[1], Outcome::Unrecognized);
    assert_eq!(planner.servers()[1].forwards_fill, Support::Unsupported);
    assert_eq!(
        planner.servers()[1].failures,
        0,
        "M_UNRECOGNIZED is no failure"
    );
    for _ in 0..5 {
        let next = planner.next_requests(&dag);
        assert!(!next.is_empty());
        // x has not refused forwards fill and may still be asked for it; y never again.
        assert!(next
            .iter()
            .all(|r| r.server == "x.example"
                || !matches!(r.request, FederationRequest::ForwardsFill(_))));
        for r in &next {
            planner.record(&dag, r, Outcome::Failed);
        }
        planner.set_now_ms(planner.next_wakeup(&dag).unwrap());
    }
}

#[test]
fn a_server_answering_forwards_fill_is_marked_as_supporting_it() {
    let dag = hole_above_a_tip();
    let mut planner = two_servers(4);
    let requests = planner.next_requests(&dag);
    let answered = Outcome::Answered {
        received: 3,
        new: 3,
        lowest_depth: Some(4),
    };
    planner.record(&dag, &requests[1], answered);
    assert_eq!(planner.servers()[1].forwards_fill, Support::Supported);
    assert_eq!(planner.servers()[1].events_received, 3);
}

#[test]
fn caps_are_learned() {
    let report = Simulation::new(SimulationOptions {
        seed: 5,
        events: 1_200,
        gaps: 60,
        ..SimulationOptions::default()
    })
    .run(Strategy::Cover);
    let lagging = &report.servers[0];
    assert_eq!(lagging.name, "lagging.example");
    assert_eq!(lagging.get_missing_events_cap, Some(20));
    assert!(report
        .servers
        .iter()
        .all(|h| h.get_missing_events_cap.is_none_or(|c| c == 20 || c == 50)));
    assert_eq!(report.closable_gaps_left, 0);
}

#[test]
fn stops_when_no_server_can_help_and_says_why() {
    let peers = vec![
        PeerConfig {
            joined_at: 0.999,
            ..PeerConfig::synapse("late.example")
        },
        PeerConfig {
            down: true,
            ..PeerConfig::synapse("down.example")
        },
    ];
    let sim = small(RoomShape::Uniform, 600, 30, peers);
    for strategy in Strategy::ALL {
        let report = sim.run(strategy);
        assert_eq!(report.gaps_left, report.gaps_at_start, "{strategy:?}");
        assert_eq!(report.closable_gaps_left, 0);
        assert!(report.all_closable_closed);
        for open in &report.open_gaps {
            assert!(!open.closable);
            assert_eq!(open.reason, codes::GAP_SERVERS_UNAVAILABLE, "{strategy:?}");
        }
        // The down server was asked once, then retried only as its backoff allowed: after
        // 2h, 4h, … 256h, 256h, 256h, which fills the 1024h budget.
        assert!(
            report.servers[1].round_trips <= 11,
            "{strategy:?} {:?}",
            report.servers
        );
        assert!(report.servers[1].failures >= 1);
    }
}

/// A DAG `$a ← $c` and `$b ← $c`, `$a` missing: one gap.
fn one_gap() -> RoomDag {
    dag_of(&[ev("b", &[], 1, 10), ev("c", &["a", "b"], 2, 20)])
}

#[test]
fn a_gap_every_server_lacks_is_reported_as_such() {
    let dag = one_gap();
    let servers = vec!["x.example".to_owned(), "y.example".to_owned()];
    for strategy in Strategy::ALL {
        let options = PlannerOptions {
            strategy,
            ..PlannerOptions::default()
        };
        let mut planner = GapPlanner::new("!room:example.org", &servers, options);
        let mut asked = Vec::new();
        // Synapse backs the point off after each server that lacks it: the clock moves.
        while let Some(requests) = planner.next_or_wait(&dag) {
            for r in &requests {
                assert_eq!(r.gaps, vec![dag.index_of(&full("a")).unwrap()]);
                asked.push((r.server.clone(), r.endpoint()));
                let empty = Outcome::Answered {
                    received: 0,
                    new: 0,
                    lowest_depth: None,
                };
                planner.record(&dag, r, empty);
            }
        }
        assert_eq!(planner.next_wakeup(&dag), None);
        let open = planner.open_gaps(&dag);
        assert_eq!(open.len(), 1, "{strategy:?}");
        assert_eq!(
            open[0].reason,
            OpenReason::NoServerHolds,
            "{strategy:?} {asked:?}"
        );
        let problems = planner.open_gap_problems(&dag);
        assert_eq!(problems[0].code, codes::GAP_NO_SERVER_HOLDS);
        assert!(problems[0].message.contains(&full("a")));
        // Each server was asked by ID at most once; cover may first try get_missing_events.
        let by_id = asked.iter().filter(|(_, e)| *e == "backfill").count();
        assert_eq!(by_id, 2, "{strategy:?} {asked:?}");
    }
}

#[test]
fn a_failing_server_backs_off_on_the_synapse_schedule() {
    let dag = one_gap();
    let servers = vec!["x.example".to_owned()];
    let mut planner = GapPlanner::new("!r:e", &servers, PlannerOptions::default());
    let mut retries = Vec::new();
    for _ in 0..20 {
        let requests = planner.next_requests(&dag);
        assert_eq!(requests.len(), 1);
        planner.record(&dag, &requests[0], Outcome::Failed);
        assert!(planner.next_requests(&dag).is_empty());
        let Some(t) = planner.next_wakeup(&dag) else {
            break;
        };
        retries.push((t - planner.now_ms()) / HOUR_MS);
        planner.set_now_ms(t);
    }
    // 2 + 4 + … + 128 + 3 × 256 = 1022 hours: the next wait would pass the 1024h budget.
    assert_eq!(retries, vec![2, 4, 8, 16, 32, 64, 128, 256, 256, 256]);
    assert_eq!(
        planner.open_gaps(&dag)[0].reason,
        OpenReason::ServersUnavailable
    );
}

#[test]
fn backoff_and_names() {
    assert_eq!(backoff_ms(1), 2 * HOUR_MS);
    assert_eq!(backoff_ms(2), 4 * HOUR_MS);
    assert_eq!(backoff_ms(8), 256 * HOUR_MS);
    assert_eq!(backoff_ms(40), 256 * HOUR_MS);
    for s in Strategy::ALL {
        assert_eq!(Strategy::from_name(s.name()), Some(s));
    }
    assert_eq!(Strategy::from_name("astar"), None);
    let planner = GapPlanner::new("!r:e", &[], PlannerOptions::default());
    let problems = planner.open_gap_problems(&one_gap());
    assert_eq!(problems.last().unwrap().code, codes::NO_SERVERS);
}

/// Depths come from the events as sent and may be anything an i64 holds: the planner's
/// depth arithmetic saturates instead of overflowing, and still asks for the gaps.
#[test]
fn extreme_depths_do_not_overflow_the_plan() {
    for depth in [i64::MIN, i64::MIN + 1, -1, i64::MAX] {
        let dag = dag_of(&[
            ev("a", &["gap"], depth, 1),
            ev("b", &["a", "hole"], depth, 2),
        ]);
        assert_eq!(dag.gaps().len(), 2, "depth {depth}");
        let mut planner = two_servers(10);
        let requests = planner.next_requests(&dag);
        assert!(!requests.is_empty(), "depth {depth}");
        let asked: Vec<String> = requests
            .iter()
            .flat_map(|r| r.gaps.iter().map(|&n| dag.event_id(n)))
            .collect();
        assert!(
            asked.contains(&full("gap")) && asked.contains(&full("hole")),
            "depth {depth}: {asked:?}"
        );
    }
}
