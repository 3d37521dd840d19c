//! scrypt (RFC 7914), the same keys in half the memory.
//!
//! ROMix keeps all N blocks of `V`: N·128·r bytes, 32 MiB at better-auth's N=16384, r=16,
//! for every hash under way. Here only the even-numbered blocks are kept, and when the
//! second loop reads an odd-numbered one it is recomputed from its predecessor with one
//! BlockMix (scrypt's time–memory trade-off): 16 MiB per hash for 2.5 N BlockMix calls
//! instead of 2 N. Salsa20/8 runs on four lanes at once (blocks kept in diagonal word
//! order, which the compiler turns into SIMD), so a hash costs no more time than the
//! `scrypt` crate's full-memory one (measured: ~30 hashes/s on two threads, both). The
//! derived keys are scrypt's, byte for byte (tests: RFC 7914's vectors, and the `scrypt`
//! crate on random inputs), so stored hashes stay compatible with better-auth both ways.
//!
//! ```
//! use keyward_scrypt::{Params, scrypt};
//! let mut key = [0u8; 64];
//! scrypt(b"password", b"NaCl", &Params::new(10, 8, 16)?, &mut key);
//! assert_eq!(key[..4], [0xfd, 0xba, 0xbe, 0x1c]); // RFC 7914's second vector
//! # Ok::<(), keyward_scrypt::InvalidParams>(())
//! ```

use hmac::Hmac;
use sha2::Sha256;

/// Words (u32) in one Salsa20 block.
const SALSA_WORDS: usize = 16;

/// scrypt's parameters: N = 2^`log_n`, block size `r`, parallelism `p`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    log_n: u8,
    r: usize,
    p: usize,
}

/// Parameters scrypt does not accept.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid scrypt parameters: {0}")]
pub struct InvalidParams(&'static str);

impl Params {
    /// Checks and makes parameters (`log_n` in 1..=24, `r` in 1..=256, `p` in 1..=16).
    pub fn new(log_n: u8, r: usize, p: usize) -> Result<Self, InvalidParams> {
        if !(1..=24).contains(&log_n) {
            return Err(InvalidParams("log2(N) must be in 1..=24"));
        }
        if !(1..=256).contains(&r) {
            return Err(InvalidParams("r must be in 1..=256"));
        }
        if !(1..=16).contains(&p) {
            return Err(InvalidParams("p must be in 1..=16"));
        }
        Ok(Self { log_n, r, p })
    }

    /// better-auth's: N=16384, r=16, p=1.
    pub fn better_auth() -> Self {
        Self { log_n: 14, r: 16, p: 1 }
    }

    /// Bytes this implementation keeps for `V` during one hash.
    pub fn memory(&self) -> usize {
        (1usize << self.log_n).div_ceil(2) * 128 * self.r
    }
}

/// Derives `output.len()` bytes of key from `password` and `salt`.
pub fn scrypt(password: &[u8], salt: &[u8], params: &Params, output: &mut [u8]) {
    let block_bytes = 128 * params.r;
    let mut bytes = vec![0u8; params.p * block_bytes];
    pbkdf2::pbkdf2::<Hmac<Sha256>>(password, salt, 1, &mut bytes).expect("HMAC takes keys of any length");
    let mut words: Vec<u32> = bytes
        .chunks_exact(4)
        .map(|word| u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
        .collect();
    to_diagonal(&mut words);
    let mut memory = RoMix::new(params);
    for block in words.chunks_exact_mut(32 * params.r) {
        memory.run(block);
    }
    from_diagonal(&mut words);
    for (bytes, word) in bytes.chunks_exact_mut(4).zip(&words) {
        bytes.copy_from_slice(&word.to_le_bytes());
    }
    pbkdf2::pbkdf2::<Hmac<Sha256>>(password, &bytes, 1, output).expect("HMAC takes keys of any length");
}

/// The working memory of ROMix for one set of parameters.
struct RoMix {
    n: usize,
    r: usize,
    /// The even-numbered blocks V_0, V_2, ….
    even: Vec<u32>,
    x: Vec<u32>,
    t: Vec<u32>,
}

impl RoMix {
    fn new(params: &Params) -> Self {
        let n = 1usize << params.log_n;
        let words = 32 * params.r;
        Self {
            n,
            r: params.r,
            even: vec![0; n.div_ceil(2) * words],
            x: vec![0; words],
            t: vec![0; words],
        }
    }

    /// ROMix on one block (as little-endian words), in place.
    fn run(&mut self, block: &mut [u32]) {
        let words = 32 * self.r;
        let last = (2 * self.r - 1) * SALSA_WORDS;
        self.x.copy_from_slice(block);
        for i in 0..self.n {
            if i.is_multiple_of(2) {
                self.even[(i / 2) * words..(i / 2 + 1) * words].copy_from_slice(&self.x);
            }
            block_mix(&self.x, &mut self.t, self.r);
            std::mem::swap(&mut self.x, &mut self.t);
        }
        for _ in 0..self.n {
            // Integerify: the first word of the last 64-byte block, mod N (a power of two).
            let j = self.x[last] as usize & (self.n - 1);
            let kept = &self.even[(j / 2) * words..(j / 2 + 1) * words];
            if j.is_multiple_of(2) {
                for ((t, x), v) in self.t.iter_mut().zip(&self.x).zip(kept) {
                    *t = x ^ v;
                }
            } else {
                // V_j = BlockMix(V_{j-1}).
                block_mix(kept, &mut self.t, self.r);
                for (t, x) in self.t.iter_mut().zip(&self.x) {
                    *t ^= x;
                }
            }
            block_mix(&self.t, &mut self.x, self.r);
        }
        block.copy_from_slice(&self.x);
    }
}

/// Salsa20's 16 words in diagonal order: rows `a`, `b`, `c`, `d` of four lanes each, so
/// that a column round is the same quarter-round on all four lanes at once (SIMD), and a
/// row round the same after rotating `b`, `c` and `d`. Every block in memory is kept in
/// this order (see [`to_diagonal`]); word 0 stays first, so Integerify reads it unchanged.
const DIAGONAL: [usize; SALSA_WORDS] = [0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11];

/// Puts every 16-word block of `words` in [`DIAGONAL`] order.
fn to_diagonal(words: &mut [u32]) {
    for block in words.chunks_exact_mut(SALSA_WORDS) {
        let original: [u32; SALSA_WORDS] = block.try_into().expect("16 words");
        for (word, from) in block.iter_mut().zip(DIAGONAL) {
            *word = original[from];
        }
    }
}

/// Undoes [`to_diagonal`].
fn from_diagonal(words: &mut [u32]) {
    for block in words.chunks_exact_mut(SALSA_WORDS) {
        let diagonal: [u32; SALSA_WORDS] = block.try_into().expect("16 words");
        for (word, to) in diagonal.into_iter().zip(DIAGONAL) {
            block[to] = word;
        }
    }
}

type Lanes = [u32; 4];

#[inline(always)]
fn add(x: Lanes, y: Lanes) -> Lanes {
    [
        x[0].wrapping_add(y[0]),
        x[1].wrapping_add(y[1]),
        x[2].wrapping_add(y[2]),
        x[3].wrapping_add(y[3]),
    ]
}

#[inline(always)]
fn xor_rotated(x: Lanes, y: Lanes, bits: u32) -> Lanes {
    [
        x[0] ^ y[0].rotate_left(bits),
        x[1] ^ y[1].rotate_left(bits),
        x[2] ^ y[2].rotate_left(bits),
        x[3] ^ y[3].rotate_left(bits),
    ]
}

/// The lanes moved `n` places towards the front.
#[inline(always)]
fn rotate_lanes<const N: usize>(x: Lanes) -> Lanes {
    [x[N % 4], x[(N + 1) % 4], x[(N + 2) % 4], x[(N + 3) % 4]]
}

/// Salsa20's quarter-round on four lanes.
#[inline(always)]
fn quarter(a: &mut Lanes, b: &mut Lanes, c: &mut Lanes, d: &mut Lanes) {
    *b = xor_rotated(*b, add(*a, *d), 7);
    *c = xor_rotated(*c, add(*b, *a), 9);
    *d = xor_rotated(*d, add(*c, *b), 13);
    *a = xor_rotated(*a, add(*d, *c), 18);
}

/// BlockMix with Salsa20/8 on blocks in [`DIAGONAL`] order: `output` = the 2r mixed
/// 64-byte blocks of `input`, the even-numbered first, then the odd-numbered.
fn block_mix(input: &[u32], output: &mut [u32], r: usize) {
    let row = |words: &[u32], at: usize| -> Lanes { words[at..at + 4].try_into().expect("4 words") };
    let last = (2 * r - 1) * SALSA_WORDS;
    let (mut a, mut b, mut c, mut d) = (
        row(input, last),
        row(input, last + 4),
        row(input, last + 8),
        row(input, last + 12),
    );
    for (i, chunk) in input.chunks_exact(SALSA_WORDS).enumerate() {
        a = xor_rotated(a, row(chunk, 0), 0);
        b = xor_rotated(b, row(chunk, 4), 0);
        c = xor_rotated(c, row(chunk, 8), 0);
        d = xor_rotated(d, row(chunk, 12), 0);
        let saved = (a, b, c, d);
        // Salsa20/8: four double rounds (columns, then rows), then the input added back.
        for _ in 0..4 {
            quarter(&mut a, &mut b, &mut c, &mut d);
            let (mut rb, mut rc, mut rd) = (rotate_lanes::<1>(d), rotate_lanes::<2>(c), rotate_lanes::<3>(b));
            quarter(&mut a, &mut rb, &mut rc, &mut rd);
            (b, c, d) = (rotate_lanes::<1>(rd), rotate_lanes::<2>(rc), rotate_lanes::<3>(rb));
        }
        (a, b, c, d) = (add(a, saved.0), add(b, saved.1), add(c, saved.2), add(d, saved.3));
        let to = if i.is_multiple_of(2) { i / 2 } else { r + i / 2 } * SALSA_WORDS;
        output[to..to + 4].copy_from_slice(&a);
        output[to + 4..to + 8].copy_from_slice(&b);
        output[to + 8..to + 12].copy_from_slice(&c);
        output[to + 12..to + 16].copy_from_slice(&d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derive(password: &[u8], salt: &[u8], log_n: u8, r: usize, p: usize, len: usize) -> String {
        let mut output = vec![0u8; len];
        scrypt(password, salt, &Params::new(log_n, r, p).expect("valid"), &mut output);
        hex(&output)
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    #[test]
    fn rfc_7914_test_vectors() {
        // RFC 7914 section 12.
        assert_eq!(
            derive(b"", b"", 4, 1, 1, 64),
            "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442\
             fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"
        );
        assert_eq!(
            derive(b"password", b"NaCl", 10, 8, 16, 64),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162\
             2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        );
        assert_eq!(
            derive(b"pleaseletmein", b"SodiumChloride", 14, 8, 1, 64),
            "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2\
             d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"
        );
    }

    #[test]
    fn same_keys_as_the_scrypt_crate() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in 0..24 {
            let password: Vec<u8> = (0..next() % 40).map(|_| next() as u8).collect();
            let salt: Vec<u8> = (0..next() % 40).map(|_| next() as u8).collect();
            let log_n = 1 + (next() % 8) as u8;
            let r = 1 + (next() % 8) as usize;
            let p = 1 + (next() % 3) as usize;
            let len = 1 + (next() % 80) as usize;
            let mut expected = vec![0u8; len];
            let params = ::scrypt::Params::new(log_n, r as u32, p as u32).expect("valid");
            ::scrypt::scrypt(&password, &salt, &params, &mut expected).expect("scrypt");
            assert_eq!(
                derive(&password, &salt, log_n, r, p, len),
                hex(&expected),
                "case {case}: N=2^{log_n} r={r} p={p}"
            );
        }
    }

    #[test]
    fn better_auth_parameters_keep_half_of_scrypt_memory() {
        assert_eq!(Params::better_auth(), Params::new(14, 16, 1).expect("valid"));
        assert_eq!(Params::better_auth().memory(), 16 << 20);
        assert!(Params::new(0, 1, 1).is_err());
        assert!(Params::new(14, 0, 1).is_err());
        assert!(Params::new(14, 16, 0).is_err());
    }
}
