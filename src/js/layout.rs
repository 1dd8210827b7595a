//! `layoutDag(offsets, parents, depths)`: the [`crate::layout`] walk for the page.

use js_sys::{Float32Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::key_ring::to_plain;
use crate::layout::{layout, LayoutInput};

#[wasm_bindgen(typescript_custom_section)]
const LAYOUT_TYPES: &str = r#"
/** Where `layoutDag` puts each node and edge. Units: one lane wide, one row high. */
export interface Layout {
  /** Each node's horizontal position (its lane). */
  x: Float32Array;
  /** Each node's vertical position (its row: 0 is the newest node). */
  y: Float32Array;
  /** Each node's lane. */
  lane: Uint32Array;
  /** Edges as `(child, parent)` node index pairs, flattened. */
  edges: Uint32Array;
  /** Per edge, 1 for a back edge (its parent does not precede its child). */
  backEdges: Uint8Array;
  /** The vertical lines as `(lane, firstRow, lastRow)` triples, flattened. */
  runs: Uint32Array;
  /** How many lanes are used. */
  lanes: number;
  /** Problems with the input (its bad edges are left out). */
  problems: Problem[];
}
"#;

fn set(target: &Object, key: &str, value: &JsValue) {
    // Defining a property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Lays out a DAG given in linear order (every parent before its children).
///
/// `offsets` (`n + 1` entries) and `parents` are the parents as compressed sparse rows;
/// `depths` one per node. Returns `{x, y, lane, edges, backEdges, runs, lanes, problems}`:
/// `x`/`y` (`Float32Array`, units of one lane and one row, row 0 the newest node), `lane`
/// (`Uint32Array`), `edges` (`Uint32Array` of `(child, parent)` pairs), `backEdges`
/// (`Uint8Array`, 1 for an edge whose parent does not precede its child), `runs`
/// (`Uint32Array` of `(lane, firstRow, lastRow)` triples: the vertical lines), `lanes` (the
/// number of lanes) and `problems` (`[{code, path, message, severity}]`).
#[wasm_bindgen(js_name = layoutDag, unchecked_return_type = "Layout")]
pub fn layout_dag(offsets: &[u32], parents: &[u32], depths: &[f64]) -> Result<Object, JsValue> {
    // Depths arrive as doubles (JS numbers); negative or fractional ones are clamped, since
    // they only choose which parent continues a lane.
    let depths: Vec<u64> = depths
        .iter()
        .map(|&d| if d > 0.0 { d as u64 } else { 0 })
        .collect();
    let result = layout(&LayoutInput {
        offsets,
        parents,
        depths: &depths,
    });
    let out = Object::new();
    set(&out, "x", &Float32Array::from(&result.x[..]).into());
    set(&out, "y", &Float32Array::from(&result.y[..]).into());
    set(&out, "lane", &Uint32Array::from(&result.lane[..]).into());
    set(&out, "edges", &Uint32Array::from(&result.edges[..]).into());
    let back: Vec<u8> = result.back_edge.iter().map(|&b| b as u8).collect();
    set(&out, "backEdges", &Uint8Array::from(&back[..]).into());
    set(&out, "runs", &Uint32Array::from(&result.runs[..]).into());
    set(&out, "lanes", &JsValue::from(result.lanes));
    set(&out, "problems", &to_plain(&result.problems)?);
    Ok(out)
}
