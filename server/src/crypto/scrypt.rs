//! scrypt (RFC 7914), the same keys in half the memory.
//!
//! ROMix keeps all N blocks of `V`: N·128·r bytes, 32 MiB at better-auth's N=16384, r=16,
//! for every hash under way. Here only the even-numbered blocks are kept, and when the
//! second loop reads an odd-numbered one it is recomputed from its predecessor with one
//! BlockMix (scrypt's time–memory trade-off): 16 MiB per hash for 2.5 N BlockMix calls
//! instead of 2 N. The derived keys are scrypt's, byte for byte (tests: RFC 7914's
//! vectors, and the `scrypt` crate on random inputs), so stored hashes stay compatible
//! with better-auth both ways.

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
    let mut memory = RoMix::new(params);
    for block in words.chunks_exact_mut(32 * params.r) {
        memory.run(block);
    }
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

/// BlockMix with Salsa20/8: `output` = the 2r mixed 64-byte blocks of `input`, the
/// even-numbered first, then the odd-numbered.
fn block_mix(input: &[u32], output: &mut [u32], r: usize) {
    let mut x = [0u32; SALSA_WORDS];
    x.copy_from_slice(&input[(2 * r - 1) * SALSA_WORDS..2 * r * SALSA_WORDS]);
    for (i, chunk) in input.chunks_exact(SALSA_WORDS).enumerate() {
        for (x, word) in x.iter_mut().zip(chunk) {
            *x ^= word;
        }
        salsa20_8(&mut x);
        let to = if i.is_multiple_of(2) { i / 2 } else { r + i / 2 };
        output[to * SALSA_WORDS..(to + 1) * SALSA_WORDS].copy_from_slice(&x);
    }
}

/// The Salsa20/8 core: four double rounds, then the input added back.
#[inline(always)]
fn salsa20_8(block: &mut [u32; SALSA_WORDS]) {
    #[inline(always)]
    fn quarter(x: &mut [u32; SALSA_WORDS], a: usize, b: usize, c: usize, d: usize) {
        x[b] ^= x[a].wrapping_add(x[d]).rotate_left(7);
        x[c] ^= x[b].wrapping_add(x[a]).rotate_left(9);
        x[d] ^= x[c].wrapping_add(x[b]).rotate_left(13);
        x[a] ^= x[d].wrapping_add(x[c]).rotate_left(18);
    }
    let mut x = *block;
    for _ in 0..4 {
        quarter(&mut x, 0, 4, 8, 12);
        quarter(&mut x, 5, 9, 13, 1);
        quarter(&mut x, 10, 14, 2, 6);
        quarter(&mut x, 15, 3, 7, 11);
        quarter(&mut x, 0, 1, 2, 3);
        quarter(&mut x, 5, 6, 7, 4);
        quarter(&mut x, 10, 11, 8, 9);
        quarter(&mut x, 15, 12, 13, 14);
    }
    for (out, mixed) in block.iter_mut().zip(x) {
        *out = out.wrapping_add(mixed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hex;

    fn derive(password: &[u8], salt: &[u8], log_n: u8, r: usize, p: usize, len: usize) -> String {
        let mut output = vec![0u8; len];
        scrypt(password, salt, &Params::new(log_n, r, p).expect("valid"), &mut output);
        hex(&output)
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
