//! Sorting through one copy of the standard library's sort.
//!
//! Every `sort*` call on another element type or with another closure is another copy of the
//! standard library's sort in the wasm (2.5–4 KB each; 28 copies were a tenth of the code).
//! The sorts off the hot paths go through here instead: the elements are ordered through
//! their indices with the comparison behind a `dyn` call, so the wasm holds one sort, of
//! `u32`s, and a small permutation per element type.
//!
//! [`sort_by`], [`sort_by_key`] and [`sort`] give the order a stable sort gives (equal
//! elements keep their order). That is also the only order when no two elements compare
//! equal, so a call that sorted unstably by a unique key gets the same result here.

use std::cmp::Ordering;

/// Sorts `v` unstably by `cmp`: `sort_unstable_by`, one copy for every caller.
pub(crate) fn sort_u32s_by(v: &mut [u32], cmp: &mut dyn FnMut(u32, u32) -> Ordering) {
    v.sort_unstable_by(|&a, &b| cmp(a, b));
}

/// Sorts `v` stably by `cmp`.
pub(crate) fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return; // most calls (a judged event's problems): nothing to allocate
    }
    let n = u32::try_from(v.len()).expect("at most u32::MAX elements to sort");
    let mut order: Vec<u32> = (0..n).collect();
    // Ties broken by position: the stable order, whatever the sort does with equal keys.
    sort_u32s_by(&mut order, &mut |a, b| {
        cmp(&v[a as usize], &v[b as usize]).then(a.cmp(&b))
    });
    permute(v, order);
}

/// Sorts `v` stably by `key`.
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` in its natural order.
pub(crate) fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts `v` in its natural order and drops repeats: a sorted set as a vector (a
/// `BTreeSet` is another 5 KB of wasm for each element type).
pub(crate) fn sort_dedup<T: Ord>(v: &mut Vec<T>) {
    sort(v);
    v.dedup();
}

/// Rearranges `v` so that position `k` holds what was at `order[k]`, following each cycle
/// of the permutation with swaps.
fn permute<T>(v: &mut [T], mut order: Vec<u32>) {
    for start in 0..order.len() {
        let mut at = start;
        while order[at] as usize != start {
            let from = order[at] as usize;
            v.swap(at, from);
            order[at] = at as u32;
            at = from;
        }
        order[at] = at as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_as_the_standard_sort() {
        let mut seed = 7u64;
        for len in [0usize, 1, 2, 3, 17, 100, 1000] {
            let v: Vec<(u8, u32)> = (0..len as u32)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 60) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            sort_by_key(&mut ours, |e| e.0);
            let mut theirs = v.clone();
            theirs.sort_by_key(|e| e.0);
            assert_eq!(ours, theirs);
            let mut ours = v.clone();
            sort(&mut ours);
            let mut theirs = v;
            theirs.sort();
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn moves_owned_elements() {
        let mut v: Vec<String> = ["d", "b", "a", "c", "b"].map(String::from).to_vec();
        sort(&mut v);
        assert_eq!(v, ["a", "b", "b", "c", "d"]);
    }
}
