//! The secrets of an authorization request: the PKCE verifier and its S256
//! challenge (RFC 7636) and the `state` value, from random bytes of the
//! operating system and SHA-256, both through `ring`, which rustls already
//! brings (a dedicated OAuth library cost every signed-in app chrono, rand,
//! sha2 and their dependencies; see the README's dependency table).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};

use crate::credentials::AuthError;

/// `bytes` random bytes as base64url without padding: 32 bytes make a
/// 43-character verifier, the shortest RFC 7636 allows and what Google's
/// own libraries send.
pub(crate) fn random_token(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| AuthError::flow("the operating system gave no random bytes"))?;
    Ok(URL_SAFE_NO_PAD.encode(&buf))
}

/// The `code_challenge` of `verifier` for `code_challenge_method=S256`.
pub(crate) fn challenge_s256(verifier: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s_example() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn tokens_are_43_url_safe_characters_and_differ() {
        let (a, b) = (random_token(32).unwrap(), random_token(32).unwrap());
        assert_eq!(a.len(), 43);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a, b);
    }
}
