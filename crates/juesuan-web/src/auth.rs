//! Passwords (口令, argon2id), session and CSRF tokens. The login lockout and the address
//! throttle are in `session` over the store's failure records (`Store::login_record`,
//! `Store::login_failure`), shared by every server process on one database.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};

/// argon2id cost. The default is OWASP's recommendation (19 MiB, 2 passes); tests use a cheap
/// one because unoptimised debug builds take seconds per hash. The parameters are stored in
/// each hash, so verification always uses the cost the hash was made with.
#[derive(Debug, Clone, Copy)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        PasswordCost {
            memory_kib: 19 * 1024,
            iterations: 2,
        }
    }
}

impl PasswordCost {
    /// Cheap parameters for tests only.
    pub fn for_tests() -> Self {
        PasswordCost {
            memory_kib: 256,
            iterations: 1,
        }
    }
}

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random source is available");
    b
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random token (256 bits) as 64 hex digits: session ids, CSRF tokens, one-time passwords.
pub fn random_token() -> String {
    hex(&random_bytes::<32>())
}

/// A password a person can type (demo admin, reset): 16 characters without look-alikes.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    random_bytes::<16>()
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// What is stored for a session token: its SHA-256, so a leaked database does not leak live
/// sessions.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Hash a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str, cost: PasswordCost) -> String {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .expect("argon2 parameters are valid");
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes is a valid salt");
    argon
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing a password cannot fail with valid parameters")
        .to_string()
}

/// Check a password against a stored PHC hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Constant-time comparison of two tokens (CSRF), so timing does not reveal a prefix.
pub fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip_and_wrong_password() {
        let h = hash_password("正确的口令", PasswordCost::for_tests());
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("正确的口令", &h));
        assert!(!verify_password("错误的口令", &h));
        assert!(!verify_password("x", "not a hash"));
        // Two hashes of one password differ (random salt).
        assert_ne!(h, hash_password("正确的口令", PasswordCost::for_tests()));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a, &a[..10]));
        assert_eq!(random_password().len(), 16);
    }
}
