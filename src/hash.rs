//! The run's fixed hash, below every stage (the store's partitions, the body composition
//! readers' per-thread tables use it).

/// 64-bit FNV-1a: a fixed hash, so that partitions, and thus output order, never vary from
/// run to run or machine to machine.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
