//! Field-multiplication limb products of curve25519's 32-bit backend (10 limbs, radix 2^25.5):
//! one product at a time in 64-bit scalars, or two multiplications at once in wasm SIMD lanes.
use core::arch::wasm32::*;

/// Limbs of the factors (opaque to the optimiser, so nothing is folded at compile time).
fn factors() -> ([[u32; 10]; 2], [[u32; 10]; 2]) {
    core::hint::black_box(([[0x3ff_ffff; 10]; 2], [[0x1ff_ffff; 10]; 2]))
}

#[inline(never)]
fn products_scalar(a: &[u32; 10], b: &[u32; 10]) -> [u64; 19] {
    let mut c = [0u64; 19];
    for i in 0..10 {
        for j in 0..10 {
            c[i + j] = c[i + j].wrapping_add((a[i] as u64) * (b[j] as u64));
        }
    }
    c
}

#[inline(never)]
fn products_simd(a: &[v128; 10], b: &[v128; 10]) -> [v128; 19] {
    let mut c = [u64x2_splat(0); 19];
    for i in 0..10 {
        for j in 0..10 {
            c[i + j] = u64x2_add(c[i + j], u64x2_extmul_low_u32x4(a[i], b[j]));
        }
    }
    c
}

/// `n` rounds of two multiplications' products, one at a time.
#[no_mangle]
pub extern "C" fn scalar(n: u32) -> u64 {
    let (mut a, b) = factors();
    let mut acc = 0u64;
    for _ in 0..n {
        for k in 0..2 {
            let c = products_scalar(&a[k], &b[k]);
            acc = acc.wrapping_add(c[9]);
            a[k][0] = (c[3] as u32) & 0x3ff_ffff;
        }
    }
    acc
}

/// `n` rounds of two multiplications' products, both at once.
#[no_mangle]
pub extern "C" fn simd(n: u32) -> u64 {
    let (a0, b0) = factors();
    let mut a: [v128; 10] = core::array::from_fn(|i| u32x4(a0[0][i], a0[1][i], 0, 0));
    let b: [v128; 10] = core::array::from_fn(|i| u32x4(b0[0][i], b0[1][i], 0, 0));
    let mut acc = 0u64;
    for _ in 0..n {
        let c = products_simd(&a, &b);
        acc = acc
            .wrapping_add(u64x2_extract_lane::<0>(c[9]))
            .wrapping_add(u64x2_extract_lane::<1>(c[9]));
        a[0] = v128_and(
            i32x4_shuffle::<0, 2, 0, 0>(c[3], c[3]),
            u32x4_splat(0x3ff_ffff),
        );
    }
    acc
}
