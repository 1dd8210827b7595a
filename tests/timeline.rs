//! The timeline on hand-built DAGs: pages forwards and backwards with tokens, gap entries at
//! the start, the end and several in one page, stable pages while gaps are filled in any
//! order, and jumps to a date at the edges.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod dag_support;

use dag_support::{dag_of, ev, full, names, ROOM};
use mxdag::dag::{DagEvent, NodeIndex, Placement, RoomDag};
use mxdag::planner::{GapPlanner, PlannerOptions};
use mxdag::timeline::{codes, Anchor, Direction, Page, Timeline, Token};

use Direction::{Backwards, Forwards};

/// a ← b ← c ← d ← e ← f ← g ← h, depths 1..8, timestamps 10..80.
fn chain() -> Vec<DagEvent> {
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let prevs: Vec<&str> = if i == 0 { vec![] } else { vec![names[i - 1]] };
            ev(n, &prevs, i as i64 + 1, 10 * (i as i64 + 1))
        })
        .collect()
}

/// The chain without the events named in `left_out`.
fn chain_without(left_out: &[&str]) -> Vec<DagEvent> {
    chain()
        .into_iter()
        .filter(|e| !left_out.iter().any(|l| full(l) == e.event_id))
        .collect()
}

fn node(dag: &RoomDag, name: &str) -> NodeIndex {
    dag.index_of(&full(name)).expect("known event")
}

fn page(t: &Timeline, dag: &RoomDag, anchor: Anchor, dir: Direction, limit: usize) -> Page {
    t.page(dag, anchor, dir, limit).expect("a page")
}

/// Short names of a page's events and, for each gap entry, its event and missing events.
fn shown(dag: &RoomDag, p: &Page) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let gaps = p
        .gaps
        .iter()
        .map(|g| (names(dag, &[g.event]).remove(0), names(dag, &g.missing)))
        .collect();
    (names(dag, &p.chunk), gaps)
}

fn add(dag: &mut RoomDag, events: &[DagEvent]) {
    for e in events {
        dag.insert(e, Placement::Timeline);
    }
}

#[test]
fn pages_forwards_and_backwards_with_tokens() {
    let dag = dag_of(&chain());
    let t = Timeline::new(&dag);
    let first = page(&t, &dag, Anchor::Edge, Forwards, 3);
    assert_eq!(names(&dag, &first.chunk), ["a", "b", "c"]);
    assert!(first.more);
    let second = page(&t, &dag, Anchor::Token(first.end), Forwards, 3);
    assert_eq!(names(&dag, &second.chunk), ["d", "e", "f"]);
    let third = page(&t, &dag, Anchor::Token(second.end), Forwards, 3);
    assert_eq!(names(&dag, &third.chunk), ["g", "h"]);
    assert!(!third.more);
    // Backwards from where the second page ended: newest first, as /messages?dir=b.
    let back = page(&t, &dag, Anchor::Token(second.end), Backwards, 4);
    assert_eq!(names(&dag, &back.chunk), ["f", "e", "d", "c"]);
    let back2 = page(&t, &dag, Anchor::Token(back.end), Backwards, 4);
    assert_eq!(names(&dag, &back2.chunk), ["b", "a"]);
    assert!(!back2.more);
    // From the newest end, and from an event (which the page includes either way).
    let newest = page(&t, &dag, Anchor::Edge, Backwards, 2);
    assert_eq!(names(&dag, &newest.chunk), ["h", "g"]);
    let at_e = page(&t, &dag, Anchor::Event(node(&dag, "e")), Backwards, 2);
    assert_eq!(names(&dag, &at_e.chunk), ["e", "d"]);
    let at_e = page(&t, &dag, Anchor::Event(node(&dag, "e")), Forwards, 2);
    assert_eq!(names(&dag, &at_e.chunk), ["e", "f"]);
    assert!(first.gaps.is_empty() && second.gaps.is_empty() && third.gaps.is_empty());
}

#[test]
fn tokens_are_text_and_refuse_what_is_not_one() {
    let dag = dag_of(&chain());
    let t = Timeline::new(&dag);
    let p = page(&t, &dag, Anchor::Edge, Forwards, 2);
    let text = p.end.write();
    assert_eq!(Token::parse(&text).unwrap(), p.end);
    for bad in [
        "", "mxt", "mxt1_", "mxt1_x3", "mxtA_a1", "mxt1_a", "mxt1_a-1", "t1_a1", "mxt1_s1",
    ] {
        assert_eq!(
            Token::parse(bad).unwrap_err().code,
            codes::BAD_TOKEN,
            "{bad:?}"
        );
    }
    // A token naming a node that is no timeline event.
    let nowhere = Token::parse(&format!("mxt{}_a999", t.epoch())).unwrap();
    let err = t
        .page(&dag, Anchor::Token(nowhere), Forwards, 2)
        .unwrap_err();
    assert_eq!(err.code, codes::BAD_TOKEN);
    // A token of another epoch.
    let old = Token::parse(&format!("mxt{}_a1", t.epoch() + 1)).unwrap();
    let err = t.page(&dag, Anchor::Token(old), Forwards, 2).unwrap_err();
    assert_eq!(err.code, codes::STALE_TOKEN);
}

#[test]
fn unknown_anchor_and_stale_index_are_refused() {
    let mut dag = dag_of(&chain_without(&["d"]));
    let mut t = Timeline::new(&dag);
    let missing = node(&dag, "d");
    let err = t
        .page(&dag, Anchor::Event(missing), Forwards, 5)
        .unwrap_err();
    assert_eq!(err.code, codes::UNKNOWN_EVENT);
    add(&mut dag, &[ev("d", &["c"], 4, 40)]);
    let err = t.page(&dag, Anchor::Edge, Forwards, 5).unwrap_err();
    assert_eq!(err.code, codes::STALE_INDEX);
    t.refresh(&dag);
    assert!(t.page(&dag, Anchor::Edge, Forwards, 5).is_ok());
}

#[test]
fn gap_at_the_start_of_history() {
    // a and b are missing: c's prev_events are not held, and nothing is held below.
    let dag = dag_of(&chain_without(&["a", "b"]));
    let t = Timeline::new(&dag);
    let p = page(&t, &dag, Anchor::Edge, Forwards, 3);
    let (events, gaps) = shown(&dag, &p);
    assert_eq!(events, ["c", "d", "e"]);
    assert_eq!(gaps, [("c".to_owned(), vec!["b".to_owned()])]);
    let gap = &p.gaps[0];
    // Depth 3 references b (depth 2 as far as depths tell): two events below.
    assert_eq!(gap.estimated_missing, 2);
    assert_eq!(
        gap.prev_token,
        Token::parse(&gap.prev_token.write()).unwrap()
    );
    // Paginating backwards from the spot before c finds nothing held: the gap is the start.
    let before = page(&t, &dag, Anchor::Token(gap.prev_token), Backwards, 5);
    assert!(before.chunk.is_empty() && !before.more);
    let after = page(&t, &dag, Anchor::Token(gap.next_token), Forwards, 1);
    assert_eq!(names(&dag, &after.chunk), ["d"]);
}

#[test]
fn several_gaps_in_one_page_and_one_at_its_end() {
    // c and f are missing: gap entries on d and g.
    let dag = dag_of(&chain_without(&["c", "f"]));
    let t = Timeline::new(&dag);
    let p = page(&t, &dag, Anchor::Edge, Forwards, 10);
    let (events, gaps) = shown(&dag, &p);
    assert_eq!(events, ["a", "b", "d", "e", "g", "h"]);
    assert_eq!(
        gaps,
        [
            ("d".to_owned(), vec!["c".to_owned()]),
            ("g".to_owned(), vec!["f".to_owned()])
        ]
    );
    assert!(p.gaps.iter().all(|g| g.estimated_missing == 1));
    // Backwards, the entries come in chunk order (newest first).
    let back = page(&t, &dag, Anchor::Edge, Backwards, 10);
    let (_, gaps) = shown(&dag, &back);
    assert_eq!(gaps[0].0, "g");
    assert_eq!(gaps[1].0, "d");
    // A page that ends on the event of a gap carries its entry.
    let ends_on_g = page(&t, &dag, Anchor::Edge, Forwards, 5);
    let (events, gaps) = shown(&dag, &ends_on_g);
    assert_eq!(events.last().map(String::as_str), Some("g"));
    assert_eq!(gaps.last().map(|g| g.0.as_str()), Some("g"));
}

#[test]
fn a_missing_event_held_as_outlier_is_a_gap() {
    let mut dag = dag_of(&chain_without(&["c"]));
    dag.insert(&ev("c", &["b"], 3, 30), Placement::Outlier);
    let t = Timeline::new(&dag);
    let p = page(&t, &dag, Anchor::Edge, Forwards, 10);
    assert_eq!(p.gaps.len(), 1);
    assert!(p.gaps[0].held_as_outlier);
}

/// Fills the holes of the chain in the order given, checking after each that what was
/// shown keeps its order and that tokens written before still work.
fn fill_in_order(holes: &[&[&str]]) {
    let all: Vec<&str> = holes.iter().flat_map(|h| h.iter().copied()).collect();
    let mut dag = dag_of(&chain_without(&all));
    let mut t = Timeline::new(&dag);
    let before: Vec<String> = names(&dag, t.order());
    let first_page = page(&t, &dag, Anchor::Edge, Forwards, 100);
    let old_gaps = first_page.gaps.clone();
    for hole in holes {
        let events: Vec<DagEvent> = chain()
            .into_iter()
            .filter(|e| hole.iter().any(|h| full(h) == e.event_id))
            .collect();
        add(&mut dag, &events);
        let refreshed = t.refresh(&dag);
        assert!(!refreshed.rebuilt);
        // One run, right before the event that referenced the hole, in order.
        assert_eq!(refreshed.inserted.len(), 1, "{hole:?}");
        let run = &refreshed.inserted[0];
        assert_eq!(names(&dag, &run.events), *hole);
        let newest = hole.last().unwrap();
        let next = chain()
            .iter()
            .position(|e| e.event_id == full(newest))
            .map(|i| chain()[i + 1].event_id.clone());
        assert_eq!(run.before.map(|n| dag.event_id(n)), next);
        assert_eq!(t.order()[run.position], run.events[0]);
        // What was shown keeps its order.
        let kept: Vec<String> = names(&dag, t.order())
            .into_iter()
            .filter(|n| before.contains(n))
            .collect();
        assert_eq!(kept, before);
        // The old page's tokens still work, and the gap's prev token now reaches the new
        // events, newest first.
        let gap = old_gaps
            .iter()
            .find(|g| Some(dag.event_id(g.event)) == next)
            .expect("the hole had a gap entry");
        let into = page(
            &t,
            &dag,
            Anchor::Token(gap.prev_token),
            Backwards,
            hole.len(),
        );
        let mut expected: Vec<String> = hole.iter().map(|h| h.to_string()).collect();
        expected.reverse();
        assert_eq!(names(&dag, &into.chunk), expected);
    }
    let everything: Vec<String> = chain()
        .iter()
        .map(|e| dag_support::short(&e.event_id))
        .collect();
    assert_eq!(names(&dag, t.order()), everything);
    assert!(page(&t, &dag, Anchor::Edge, Forwards, 100).gaps.is_empty());
}

#[test]
fn filling_gaps_in_any_order_keeps_pages_stable() {
    fill_in_order(&[&["b"], &["d", "e"], &["g"]]);
    fill_in_order(&[&["g"], &["b"], &["d", "e"]]);
    fill_in_order(&[&["d", "e"], &["g"], &["b"]]);
}

#[test]
fn a_hole_filled_in_two_steps_from_the_top() {
    // d, e, f are missing; backfill brings f then d, e.
    let mut dag = dag_of(&chain_without(&["d", "e", "f"]));
    let mut t = Timeline::new(&dag);
    let g = node(&dag, "g");
    add(&mut dag, &[ev("f", &["e"], 6, 60)]);
    let r = t.refresh(&dag);
    assert_eq!(r.inserted.len(), 1);
    assert_eq!(r.inserted[0].before, Some(g));
    let gap = t.gap_entry(&dag, node(&dag, "f")).expect("f lacks e");
    assert_eq!(names(&dag, &gap.missing), ["e"]);
    add(&mut dag, &[ev("d", &["c"], 4, 40), ev("e", &["d"], 5, 50)]);
    t.refresh(&dag);
    let all: Vec<String> = chain()
        .iter()
        .map(|e| dag_support::short(&e.event_id))
        .collect();
    assert_eq!(names(&dag, t.order()), all);
}

#[test]
fn forwards_fill_goes_after_its_parents() {
    // Held: a..d and h (h's history from e is missing). Forwards fill from d brings e, f.
    let mut dag = dag_of(&chain_without(&["e", "f", "g"]));
    let mut t = Timeline::new(&dag);
    assert_eq!(names(&dag, t.order()), ["a", "b", "c", "d", "h"]);
    add(&mut dag, &[ev("e", &["d"], 5, 50), ev("f", &["e"], 6, 60)]);
    let r = t.refresh(&dag);
    assert_eq!(r.inserted.len(), 1);
    assert_eq!(r.inserted[0].after, Some(node(&dag, "d")));
    assert_eq!(names(&dag, t.order()), ["a", "b", "c", "d", "e", "f", "h"]);
    // New events after the newest held one go at the end.
    add(&mut dag, &[ev("i", &["h"], 9, 90)]);
    let r = t.refresh(&dag);
    assert_eq!(r.inserted[0].before, None);
    assert_eq!(names(&dag, t.order()).last().map(String::as_str), Some("i"));
}

#[test]
fn a_new_dag_rebuilds_and_old_tokens_are_stale() {
    let dag = dag_of(&chain());
    let mut t = Timeline::new(&dag);
    let p = page(&t, &dag, Anchor::Edge, Forwards, 2);
    let other = dag_of(&[ev("x", &[], 1, 1), ev("y", &["x"], 2, 2)]);
    let r = t.refresh(&other);
    assert!(r.rebuilt);
    let err = t
        .page(&other, Anchor::Token(p.end), Forwards, 2)
        .unwrap_err();
    assert_eq!(err.code, codes::STALE_TOKEN);
    assert_eq!(page(&t, &other, Anchor::Edge, Forwards, 5).chunk.len(), 2);
}

#[test]
fn an_empty_timeline_grows_without_losing_its_tokens() {
    let mut dag = RoomDag::for_room(ROOM);
    let mut t = Timeline::new(&dag);
    let empty = page(&t, &dag, Anchor::Edge, Forwards, 5);
    assert!(empty.chunk.is_empty() && !empty.more);
    add(&mut dag, &chain());
    let r = t.refresh(&dag);
    assert!(!r.rebuilt);
    assert_eq!(r.inserted[0].events.len(), 8);
    let p = page(&t, &dag, Anchor::Token(empty.start), Forwards, 2);
    assert_eq!(names(&dag, &p.chunk), ["a", "b"]);
}

#[test]
fn jump_to_a_date() {
    // Timestamps out of order in the DAG: c was sent "before" b.
    let events = vec![
        ev("a", &[], 1, 100),
        ev("b", &["a"], 2, 300),
        ev("c", &["b"], 3, 200),
        ev("d", &["c"], 4, 300),
        ev("e", &["d"], 5, 500),
    ];
    let dag = dag_of(&events);
    let t = Timeline::new(&dag);
    let jump = |ts: i64, dir| t.jump(&dag, ts, dir).map(|n| names(&dag, &[n]).remove(0));
    // Exact matches.
    assert_eq!(jump(100, Forwards).as_deref(), Some("a"));
    assert_eq!(jump(100, Backwards).as_deref(), Some("a"));
    assert_eq!(jump(200, Forwards).as_deref(), Some("c"));
    // Between: the closest at or after, at or before.
    assert_eq!(jump(150, Forwards).as_deref(), Some("c"));
    assert_eq!(jump(150, Backwards).as_deref(), Some("a"));
    assert_eq!(jump(400, Forwards).as_deref(), Some("e"));
    assert_eq!(jump(400, Backwards).as_deref(), Some("d"));
    // Ties: the first in order forwards, the last backwards.
    assert_eq!(jump(300, Forwards).as_deref(), Some("b"));
    assert_eq!(jump(300, Backwards).as_deref(), Some("d"));
    // Beyond either end.
    assert_eq!(jump(50, Forwards).as_deref(), Some("a"));
    assert_eq!(jump(50, Backwards), None);
    assert_eq!(jump(600, Forwards), None);
    assert_eq!(jump(600, Backwards).as_deref(), Some("e"));
    assert_eq!(jump(i64::MIN, Forwards).as_deref(), Some("a"));
    assert_eq!(jump(i64::MAX, Backwards).as_deref(), Some("e"));
    // A page from a date starts at the jump; beyond the end it is empty.
    let p = page(&t, &dag, Anchor::Timestamp(250), Forwards, 2);
    assert_eq!(names(&dag, &p.chunk), ["b", "c"]);
    let p = page(&t, &dag, Anchor::Timestamp(250), Backwards, 2);
    assert_eq!(names(&dag, &p.chunk), ["c", "b"]);
    let p = page(&t, &dag, Anchor::Timestamp(600), Forwards, 2);
    assert!(p.chunk.is_empty() && !p.more);
}

#[test]
fn jump_sees_inserted_events() {
    let mut dag = dag_of(&chain_without(&["d"]));
    let mut t = Timeline::new(&dag);
    assert_eq!(t.jump(&dag, 40, Forwards), Some(node(&dag, "e")));
    add(&mut dag, &[ev("d", &["c"], 4, 40)]);
    t.refresh(&dag);
    assert_eq!(t.jump(&dag, 40, Forwards), Some(node(&dag, "d")));
    assert_eq!(t.jump(&dag, 45, Backwards), Some(node(&dag, "d")));
}

#[test]
fn the_planner_asks_only_about_the_gap_given() {
    let dag = dag_of(&chain_without(&["c", "f"]));
    let t = Timeline::new(&dag);
    let p = page(&t, &dag, Anchor::Edge, Forwards, 10);
    let servers = vec!["a.example".to_owned(), "b.example".to_owned()];
    for entry in &p.gaps {
        let mut planner = GapPlanner::new(ROOM, &servers, PlannerOptions::default());
        let requests = planner.next_requests_for(&dag, &entry.missing);
        assert!(!requests.is_empty());
        for r in &requests {
            assert!(r.gaps.iter().all(|g| entry.missing.contains(g)), "{r:?}");
        }
    }
    let mut planner = GapPlanner::new(ROOM, &servers, PlannerOptions::default());
    assert!(planner.next_requests_for(&dag, &[]).is_empty());
}
